// The headteacher's staff complaints: complaints about staff first, then every incident that
// involves a member of staff. The incident service decides who sees which (a complaint about
// staff is the head's alone); this page only filters the log.
import { useState } from "preact/hooks";
import type { Me } from "../api";
import { useQuery } from "../ui";
import { IncidentList, LOG, type LogPage } from "./incidents";

export function StaffComplaintsPage({ me }: { me: Me }) {
  return (
    <section aria-labelledby="staff-title">
      <h1 id="staff-title">Staff complaints</h1>
      <StaffList schoolId={me.schoolId} title="Complaints about staff" id="staff-complaints"
        where={{ aboutStaff: true, cameToLight: "COMPLAINT" }}
        empty="There are no complaints about staff." />
      <StaffList schoolId={me.schoolId} title="Every incident involving staff" id="staff-all"
        where={{ aboutStaff: true }} empty="No incidents involve a member of staff." />
    </section>
  );
}

function StaffList({ schoolId, title, id, where, empty }: {
  schoolId: string; title: string; id: string; where: Record<string, unknown>; empty: string;
}) {
  const [offset, setOffset] = useState(0);
  const log = useQuery<LogPage>(LOG, { s: schoolId, w: where, o: offset });
  return (
    <section aria-labelledby={id} data-list={id}>
      <h2 id={id}>{title}</h2>
      <IncidentList loaded={log} offset={offset} onMove={setOffset} label={title} empty={empty} />
    </section>
  );
}
