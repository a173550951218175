/**
 * The verdict as text for people (stdout). Pure, so the tests pin the exact output that the
 * docs/verify.md shows.
 */
import { demo, IngressTable, plural, replySummary, TrafficRow, TrafficTable, Verdict } from "./verdict";

/** Context the verdict itself does not carry. */
export interface ReportContext {
    stack: string;
    /** How the ingress gateways were called. */
    ingress: {
        /** Stack output demo.ingressHost: HTTPS for this name; plain HTTP when absent. */
        host?: string;
        /** --insecure-ingress: the certificate was not verified. */
        insecure: boolean;
    };
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
    lines.push(ingressLine(verdict.ingress, context.ingress, verdict.requests));
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
    const withRevisions = verdict.clusters.filter((c) => c.proxies);
    if (withRevisions.length > 0) {
        lines.push("", "Proxies by the revision that injected them:");
        for (const c of withRevisions) {
            const counts = Object.entries(c.proxies!).sort(([a], [b]) => a.localeCompare(b));
            lines.push(`  ${c.name}: ${counts.map(([rev, n]) => `${rev} ${n}`).join(", ") || "none"}`);
        }
    }
    for (const t of verdict.tables) {
        lines.push("", ...renderTraffic(t));
    }
    for (const t of verdict.ingress) {
        lines.push("", ...renderIngress(t));
    }
    if (verdict.notes.length > 0) {
        lines.push("", "Notes:", ...verdict.notes.map((n) => `  - ${n}`));
    }
    lines.push("");
    if (verdict.problems.length === 0) {
        const ingress = verdict.ingress.length > 0 ? "; every ingress gateway answered every request" : "";
        lines.push(
            verdict.localityFailover
                ? `OK: every curl pod got its replies${ingress}; pods ready and injected; every primary holds a remote secret for every other cluster (cross-network reachability: see notes)`
                : `OK: every cluster got replies from another network${ingress}; pods ready and injected; every primary holds a remote secret for every other cluster`,
        );
    } else {
        const n = verdict.problems.length;
        lines.push(`FAILED: ${n} problem${n === 1 ? "" : "s"}`, ...verdict.problems.map((p) => `  - ${p.message}`));
    }
    return lines.join("\n") + "\n";
}

/** How the ingress gateways were called, or that they were not. */
function ingressLine(tables: IngressTable[], how: ReportContext["ingress"], requests: number): string {
    if (tables.length === 0) return "Ingress: skipped: no cluster runs an ingress gateway (no stack output clusters.<name>.ingressAddress)";
    const gateways = `${plural(requests, "request")} from this machine to ${demo.ingressPath} on each ingress gateway (${tables.map((t) => t.cluster).join(", ")})`;
    if (how.host === undefined) return `Ingress: ${gateways}, plain HTTP on port 80`;
    const certificate = how.insecure ? "certificate NOT verified (--insecure-ingress)" : "certificate verified";
    return `Ingress: ${gateways}, HTTPS on port 443 for ${how.host} (Host header and TLS server name), ${certificate}`;
}

function renderTraffic(t: TrafficTable): string[] {
    const replies = t.rows.reduce((n, r) => n + r.replies, 0);
    const head =
        `From ${t.source} (${t.network}), pod ${t.pod}: ${plural(t.requests, "request")}, ${plural(replies, "reply")}, ` +
        `${t.otherNetworkReplies} from another network${t.failed > 0 ? `, ${t.failed} failed` : ""}`;
    if (t.rows.length === 0) return [head, `  (no replies: ${replySummary(t)})`];
    return [head, ...replyTable(t.rows)];
}

function renderIngress(t: IngressTable): string[] {
    const replies = t.rows.reduce((n, r) => n + r.replies, 0);
    const head =
        `Through the ingress gateway of ${t.cluster} (${t.network}), ${t.target}: ` +
        `${plural(t.requests, "request")}, ${plural(replies, "reply")}${t.failed > 0 ? `, ${t.failed} failed` : ""}`;
    if (t.rows.length === 0) return [head, "  (no replies)"];
    return [head, ...replyTable(t.rows)];
}

/** Replies by version and answering cluster, indented under their heading. */
function replyTable(rows: TrafficRow[]): string[] {
    const cells = rows.map((r) => [
        r.version,
        r.cluster,
        r.network ?? "?",
        String(r.replies),
        r.otherNetwork === true ? "other network" : r.otherNetwork === false ? "" : "network unknown",
    ]);
    return table(["VERSION", "CLUSTER", "NETWORK", "REPLIES", ""], cells).map((l) => `  ${l}`);
}

/** Left-aligned columns two spaces apart, trailing spaces trimmed. */
function table(header: string[], rows: string[][]): string[] {
    const all = [header, ...rows];
    const widths = header.map((_, i) => Math.max(...all.map((r) => r[i].length)));
    return all.map((r) =>
        r
            .map((cell, i) => cell.padEnd(widths[i]))
            .join("  ")
            .trimEnd(),
    );
}
