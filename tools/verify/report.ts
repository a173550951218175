/**
 * The verdict as text for people (stdout). Pure, so the tests pin the exact output that the
 * README shows.
 */
import type { VerifySettings } from "./stackData";
import { demo, plural, replySummary, TrafficTable, Verdict } from "./verdict";

/** Context the verdict itself does not carry. */
export interface ReportContext {
    stack: string;
    /** Checks verify did not make, each with the reason, e.g. the ingress gateways. */
    notChecked: string[];
}

/**
 * What verify leaves unchecked, said in every report so that a pass is not read as more than
 * it is. New checks (the ingress gateways, say) take their line out of here when they land.
 */
export function notCheckedFor(settings: VerifySettings): string[] {
    const ingress = settings.ingressClusters.length > 0
        ? `north-south ingress gateways of ${settings.ingressClusters.join(", ")} (config ingress: true): verify has no ingress checks yet`
        : "north-south ingress gateways: verify has no ingress checks yet (and no cluster has config ingress: true)";
    return [ingress];
}

/** Renders the whole report, ending with the verdict line. */
export function renderReport(verdict: Verdict, context: ReportContext): string {
    const lines: string[] = [];
    lines.push(
        `Stack ${context.stack}: ${verdict.clusters.length} clusters, ${plural(verdict.requests, "request")} from each curl pod to ${demo.url}`,
    );
    lines.push(
        verdict.localityFailover
            ? "Locality failover: on (trafficPolicy.localityFailover): replies are meant to stay in the caller's region, so local replies are accepted"
            : "Locality failover: off: every cluster must get replies from another network",
    );
    lines.push("");
    lines.push(
        ...table(
            ["CLUSTER", "ROLE", "NETWORK", "CURL", "HELLOWORLD", "REMOTE SECRETS"],
            verdict.clusters.map((c) => [
                c.name,
                c.role,
                c.network,
                c.curl ? `${c.curl.ready}/${c.curl.total}` : "?",
                c.helloworld ? `${c.helloworld.versions.join(",") || "-"} ${c.helloworld.ready}/${c.helloworld.total}` : "?",
                c.role !== "primary" ? "-" : c.remoteSecrets ? c.remoteSecrets.join(", ") || "none" : "?",
            ]),
        ),
    );
    for (const t of verdict.tables) {
        lines.push("", ...renderTraffic(t));
    }
    if (verdict.notes.length > 0) {
        lines.push("", "Notes:", ...verdict.notes.map((n) => `  - ${n}`));
    }
    if (context.notChecked.length > 0) {
        lines.push("", "Not checked:", ...context.notChecked.map((n) => `  - ${n}`));
    }
    lines.push("");
    if (verdict.problems.length === 0) {
        lines.push(
            verdict.localityFailover
                ? "OK: every curl pod got its replies; pods ready and injected; every primary holds a remote secret for every other cluster (cross-network reachability: see notes)"
                : "OK: every cluster got replies from another network; pods ready and injected; every primary holds a remote secret for every other cluster",
        );
    } else {
        const n = verdict.problems.length;
        lines.push(`FAILED: ${n} problem${n === 1 ? "" : "s"}`, ...verdict.problems.map((p) => `  - ${p.message}`));
    }
    return lines.join("\n") + "\n";
}

function renderTraffic(t: TrafficTable): string[] {
    const replies = t.rows.reduce((n, r) => n + r.replies, 0);
    const head =
        `From ${t.source} (${t.network}), pod ${t.pod}: ${plural(t.requests, "request")}, ${plural(replies, "reply")}, ` +
        `${t.otherNetworkReplies} from another network${t.failed > 0 ? `, ${t.failed} failed` : ""}`;
    const rows = t.rows.map((r) => [
        r.version,
        r.cluster,
        r.network ?? "?",
        String(r.replies),
        r.otherNetwork === true ? "other network" : r.otherNetwork === false ? "" : "network unknown",
    ]);
    if (rows.length === 0) return [head, `  (no replies: ${replySummary(t)})`];
    return [head, ...table(["VERSION", "CLUSTER", "NETWORK", "REPLIES", ""], rows).map((l) => `  ${l}`)];
}

/** Left-aligned columns two spaces apart, trailing spaces trimmed. */
function table(header: string[], rows: string[][]): string[] {
    const all = [header, ...rows];
    const widths = header.map((_, i) => Math.max(...all.map((r) => r[i].length)));
    return all.map((r) => r.map((cell, i) => cell.padEnd(widths[i])).join("  ").trimEnd());
}
