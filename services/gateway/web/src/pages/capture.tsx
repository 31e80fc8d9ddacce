// One capture: its details, the screenshot (fetched only on request: every view is audited),
// who has viewed it, and its history.
import { useState } from "preact/hooks";
import { gql, type Me } from "../api";
import type { Abilities } from "../roles";
import {
  Empty, ErrorMessage, Load, soon, useAction, useLaNames, useQuery, when, words,
} from "../ui";

interface Detail {
  capture: {
    captureId: string; schoolId: string; product: string; capturedAt: string; machine: string;
    username: string; trigger: string; excerpt: string; url: string | null; hasScreenshot: boolean;
    category: string | null; severity: number | null; priority: string | null;
    grade: string | null; gradedBy: string | null; notes: string | null;
    claimedBy: string | null; matches: { phrase: string; category: string; source: string }[];
    retention: string | null; screenshotRemovedOn: string | null;
  };
  history: { type: string; at: string; version: number; data: Record<string, unknown> }[];
}
interface View { viewerName: string; viewerSchool: string; viewedAt: string }

const CAPTURE = `query($s: String!, $c: String!) { capture(schoolId: $s, captureId: $c) {
  capture { captureId schoolId product capturedAt machine username trigger excerpt url
    hasScreenshot category severity priority grade gradedBy notes claimedBy
    matches { phrase category source } retention screenshotRemovedOn }
  history { type at version data } } }`;
const SCREENSHOT = `mutation($s: String!, $c: String!) { viewScreenshot(schoolId: $s, captureId: $c) {
  contentType dataBase64 } }`;
const VIEWS = `query($s: String!, $c: String) { screenshotViews(schoolId: $s, captureId: $c) {
  total items { viewerName viewerSchool viewedAt } } }`;

export function CapturePage({ me, schoolId, captureId, can }: {
  me: Me; schoolId: string; captureId: string; can: Abilities;
}) {
  const named = useLaNames(me.laId, can.isLa);
  const detail = useQuery<{ capture: Detail }>(CAPTURE, { s: schoolId, c: captureId });
  const views = useQuery<{ screenshotViews: { total: number; items: View[] } }>(VIEWS,
    can.moderate ? { s: schoolId, c: captureId } : null);
  const [image, setImage] = useState<string | null>(null);
  const shot = useAction();
  const show = () => shot.run(async () => {
    const { viewScreenshot: s } = await gql<{ viewScreenshot: { contentType: string;
      dataBase64: string } }>(SCREENSHOT, { s: schoolId, c: captureId });
    setImage(`data:${s.contentType};base64,${s.dataBase64}`);
    // The view is recorded before the image is sent; the list of views catches up just after.
    soon(views.reload);
  });
  return (
    <section aria-labelledby="capture-title">
      <p>{can.moderate ? <a href="#/queue">Back to the queue</a>
        : <a href="#/alerts">Back to alerts</a>}</p>
      <Load loaded={detail} what="the capture">
        {({ capture: { capture: c, history } }) => (
          <>
            <h1 id="capture-title">Capture: {c.trigger || c.captureId}</h1>
            <dl class="facts">
              <dt>School</dt><dd>{c.schoolId}</dd>
              <dt>Captured</dt><dd>{when(c.capturedAt)} on {c.machine} ({c.username})</dd>
              <dt>Product</dt><dd>{c.product}</dd>
              <dt>Category</dt><dd>{words(c.category)}, severity {c.severity ?? "—"}, {words(c.priority)} priority</dd>
              <dt>Excerpt</dt><dd>{c.excerpt || "—"}</dd>
              <dt>Address</dt><dd>{c.url ?? "—"}</dd>
              <dt>Matched phrases</dt>
              <dd>{c.matches.length ? c.matches.map((m) => `${m.phrase} (${words(m.category)}, ${m.source})`).join("; ") : "none"}</dd>
              <dt>Grade</dt><dd>{c.grade ? `${words(c.grade)} by ${named(c.gradedBy)}` : "not graded yet"}</dd>
              {c.notes && <><dt>Notes</dt><dd>{c.notes}</dd></>}
              {c.retention && <><dt>Retention</dt><dd>{c.retention}</dd></>}
            </dl>
            <h2>Screenshot</h2>
            {c.screenshotRemovedOn
              ? <Empty>The screenshot was removed under retention on {c.screenshotRemovedOn}.</Empty>
              : !c.hasScreenshot ? <Empty>The product sent no screenshot.</Empty>
              : image ? <img class="shot" src={image} alt={`Screenshot of ${c.machine} when "${c.trigger}" was captured`} />
              : can.viewScreenshots ? (
                <p><button type="button" onClick={show} disabled={shot.busy}>
                  {shot.busy ? "Loading screenshot…" : "View screenshot (this view is recorded)"}
                </button></p>
              ) : <Empty>Your role may not view screenshots.</Empty>}
            <ErrorMessage message={shot.error} />
            {can.moderate && (
              <>
                <h2>Screenshot views</h2>
                <Load loaded={views} what="the views">
                  {({ screenshotViews: v }) => v.items.length === 0
                    ? <Empty>Nobody has viewed the screenshot yet.</Empty>
                    : <ul class="views">{v.items.map((x) => (
                        <li key={x.viewedAt + x.viewerName}>{x.viewerName} ({x.viewerSchool}), {when(x.viewedAt)}</li>))}</ul>}
                </Load>
              </>
            )}
            <h2>History</h2>
            <ol class="history">
              {history.map((h) => (
                <li key={h.version}><strong>{words(h.type.replace(/([a-z])([A-Z])/g, "$1_$2"))}</strong>{" "}
                  {when(h.at)}{summary(h.data, named)}</li>
              ))}
            </ol>
          </>
        )}
      </Load>
    </section>
  );
}

function summary(data: Record<string, unknown>, named: (id: string) => string): string {
  const parts = ["grade", "moderator", "notes", "reason"]
    .filter((k) => typeof data[k] === "string" && data[k])
    .map((k) => `${k}: ${k === "moderator" ? named(String(data[k])) : String(data[k])}`);
  return parts.length ? ` — ${parts.join(", ")}` : "";
}
