import { useEffect, useRef } from "react";

/** A button, so the keyboard can page; it also presses itself when scrolled into view. */
export function MoreButton({ onMore, label = "More articles" }: { onMore: () => void; label?: string }) {
  const button = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    const target = button.current;
    if (!target || typeof IntersectionObserver === "undefined") return;
    const observer = new IntersectionObserver((entries) => {
      if (entries.some((entry) => entry.isIntersecting)) onMore();
    });
    observer.observe(target);
    return () => observer.disconnect();
  }, [onMore]);
  return (
    <button ref={button} type="button" className="more" onClick={onMore}>
      {label}
    </button>
  );
}
