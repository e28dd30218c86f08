/** Steps the browser cases share: signing in through the reader app's development sign-in. */
import type { Page } from "playwright-core";

/** Signs in as a reader with the development sign-in: the server signs the reader's token. */
export async function signInAsReader(page: Page, name: string, role: "Commenter" | "Moderator" = "Commenter"): Promise<void> {
  await page.getByRole("button", { name: "Sign in (development)" }).click();
  await page.getByLabel("A reader").check();
  await page.getByLabel("Display name", { exact: true }).fill(name);
  await page.getByLabel("Role").selectOption({ label: role });
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  // The header shows who the API says the token is.
  await page.locator(".signed-in-as", { hasText: `${name} (${role.toLowerCase()})` }).waitFor();
}
