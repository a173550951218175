/**
 * The mesh's shape as a Mermaid flowchart: one subgraph per Istio network, a node per cluster,
 * remote -> primary ("controlled by") and, dashed, primary -> each cluster whose remote secret
 * it holds. Pure: the validated config (and any addresses already known) in, text out.
 */
import { cloudModule } from "../../clouds";
import type { MeshConfig } from "../../stacks/config";
import { remoteSecretPlacement } from "../../components/mesh/topology";

/** Addresses known before or after deploy (configured, or read from stack outputs), by cluster. */
export type KnownAddresses = Record<string, { eastWest?: string; ingress?: string }>;

/** The part of the config the topology shows. */
export type TopologyConfig = Pick<MeshConfig, "clusters">;

/** Text shown for an address nobody knows before `pulumi up`. */
export const notYetAllocated = "allocated at deploy";

/** Mermaid ids are restricted; cluster names are DNS labels, so this is one-to-one. */
function nodeId(cluster: string): string {
    return `c_${cluster.replace(/[^A-Za-z0-9]/g, "_")}`;
}

/** A quoted Mermaid label: quotes and markup characters escaped, lines joined with <br/>. */
function label(lines: string[]): string {
    const escape = (s: string) => s.replace(/&/g, "#amp;").replace(/"/g, "#quot;").replace(/</g, "#lt;").replace(/>/g, "#gt;");
    return `"${lines.map(escape).join("<br/>")}"`;
}

/**
 * Mermaid flowchart text (without the ``` fence) of the mesh. An address is shown when
 * `known` has it or the config sets it (existing and kind clusters), else "allocated at deploy".
 */
export function topologyMermaid(config: TopologyConfig, known: KnownAddresses = {}): string {
    const lines = ["flowchart LR"];
    const networks = [...new Set(config.clusters.map((c) => c.network))];
    networks.forEach((network, i) => {
        lines.push(`    subgraph net${i} [${label([`network ${network}`])}]`);
        for (const c of config.clusters.filter((x) => x.network === network)) {
            const where = [cloudModule(c.cloud).title, c.region].filter(Boolean).join(" ");
            const eastWest = known[c.name]?.eastWest ?? c.eastWestAddress ?? notYetAllocated;
            const text = [c.name, `${where} · ${c.role}`, `east-west: ${eastWest}`];
            if (c.ingress) text.push(`ingress: ${known[c.name]?.ingress ?? c.ingressAddress ?? notYetAllocated}`);
            lines.push(`        ${nodeId(c.name)}[${label(text)}]`);
        }
        lines.push("    end");
    });
    for (const c of config.clusters.filter((x) => x.role === "remote" && x.primary)) {
        lines.push(`    ${nodeId(c.name)} -->|controlled by| ${nodeId(c.primary!)}`);
    }
    const placement = remoteSecretPlacement(config.clusters.map((c) => ({ name: c.name, role: c.role, primary: c.primary })));
    for (const [primary, held] of placement) {
        for (const cluster of held) lines.push(`    ${nodeId(primary)} -.->|remote secret| ${nodeId(cluster)}`);
    }
    return lines.join("\n");
}

/**
 * `topology.md` as the pull-request comment shows it: a heading, the flowchart in a ```mermaid
 * block, and how to read it.
 */
export function topologyMarkdown(stack: string, config: TopologyConfig, known: KnownAddresses = {}): string {
    return [
        `#### Mesh topology of stack \`${stack}\``,
        "",
        "```mermaid",
        topologyMermaid(config, known),
        "```",
        "",
        "Solid arrow: a remote and the primary whose istiod controls it. Dashed arrow: the primary holds that cluster's " +
            `remote secret (its istiod watches that API server). Addresses not set in config are ${notYetAllocated}.`,
        "",
    ].join("\n");
}
