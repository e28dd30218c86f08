import { DataSource } from "typeorm";

/**
 * The two places where one decorator cannot describe both engines, settled on a data source's
 * entity metadata once it is built (before any migration or schema comparison reads it):
 *
 * - A point in time is `timestamptz` on PostgreSQL and `datetime` on SQLite, as every migration
 *   creates it. TypeORM's SQLite driver refuses the type `timestamptz`, so entities declare
 *   `Date` (which SQLite maps to datetime) and PostgreSQL's columns are told here.
 * - An index that ends with the row's id, so that a cursor `(a, id) > (?, ?)` seeks, names the id
 *   on PostgreSQL only: a SQLite index ends with the rowid already, and SQLite matches a row value
 *   against that implicit rowid but not against an explicit id column (see the stored-counts
 *   migration). Entities name the id; on SQLite it is taken off here.
 */
export function fitEntitiesToEngine(dataSource: DataSource): void {
  const postgres = dataSource.options.type === "postgres";
  for (const metadata of dataSource.entityMetadatas) {
    if (postgres) {
      for (const column of metadata.columns) if (column.type === Date) column.type = "timestamptz";
      continue;
    }
    const [rowid] = metadata.primaryColumns;
    if (metadata.primaryColumns.length !== 1 || !rowid.isGenerated) continue;
    for (const index of metadata.indices) {
      if (index.columns.length > 1 && index.columns[index.columns.length - 1] === rowid) {
        index.columns = index.columns.slice(0, -1);
        delete index.columnNamesWithOrderingMap[rowid.databaseName];
      }
    }
  }
}
