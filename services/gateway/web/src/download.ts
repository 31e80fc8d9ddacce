// Files behind the bearer token (issued reports, CSV exports): fetched, then saved as a blob.
import { ApiError, loadSession } from "./api";

export async function download(url: string, filename: string): Promise<void> {
  const token = loadSession()?.token ?? "";
  const response = await fetch(url, { headers: { Authorization: `Bearer ${token}` } });
  if (!response.ok) {
    throw new ApiError(`The download failed (${response.status}); try again.`,
      response.status === 403 ? "forbidden" : "internal");
  }
  save(await response.blob(), filename);
}

/** Offer text or a blob as a file the browser saves. */
export function save(content: Blob | string, filename: string, type = "text/csv"): void {
  const blob = typeof content === "string" ? new Blob([content], { type }) : content;
  const link = document.createElement("a");
  link.href = URL.createObjectURL(blob);
  link.download = filename;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
}
