import { MeshConfig, parseMeshConfig } from "../../stacks/config";
import { notYetAllocated, topologyMarkdown, topologyMermaid } from "../../tools/plan/topology";
import { meshes } from "../stacks/fixtures";

/** A fixture's validated config, as the program builds it (gcp:project is not a key of ours). */
function validated(shape: string): MeshConfig {
    const { "gcp:project": gcpProject, ...raw } = meshes[shape] as Record<string, unknown>;
    return parseMeshConfig(raw, { gcpProject: (gcpProject as string) ?? "acme-mesh" }).config;
}

/** The Mermaid statements of a flowchart, one per line, indentation dropped. */
const statements = (text: string) => text.split("\n").map((l) => l.trim());

/** Subgraph title -> node ids declared inside it. */
function subgraphs(text: string): Map<string, string[]> {
    const result = new Map<string, string[]>();
    let current: string | undefined;
    for (const line of statements(text)) {
        const open = /^subgraph \w+ \["network (.*)"\]$/.exec(line);
        if (open) {
            current = open[1];
            result.set(current, []);
        } else if (line === "end") {
            current = undefined;
        } else if (current !== undefined) {
            result.get(current)!.push(/^(\w+)\[/.exec(line)![1]);
        }
    }
    return result;
}

const edges = (text: string, arrow: string) =>
    statements(text)
        .map((l) => new RegExp(`^(\\w+) ${arrow.replace(/[.|-]/g, "\\$&")} (\\w+)$`).exec(l))
        .filter((m): m is RegExpExecArray => m !== null)
        .map((m) => `${m[1]} ${m[2]}`)
        .sort();

describe.each(["dev", "five-cluster"])("the topology of the %s mesh", (shape) => {
    const config = validated(shape);
    const text = topologyMermaid(config);
    const id = (name: string) => `c_${name.replace(/-/g, "_")}`;

    it("is a flowchart with one subgraph per network holding exactly its clusters", () => {
        expect(text.split("\n")[0]).toBe("flowchart LR");
        const networks = [...new Set(config.clusters.map((c) => c.network))];
        expect([...subgraphs(text).keys()]).toEqual(networks);
        for (const network of networks) {
            expect(subgraphs(text).get(network)).toEqual(config.clusters.filter((c) => c.network === network).map((c) => id(c.name)));
        }
    });

    it("shows each cluster's name, cloud and role", () => {
        for (const c of config.clusters) {
            const node = statements(text).find((l) => l.startsWith(`${id(c.name)}[`))!;
            expect(node).toContain(`"${c.name}<br/>`);
            expect(node).toMatch(new RegExp(`<br/>[^<]*${c.region ?? "existing"}[^<]* · ${c.role}<br/>`));
        }
    });

    it("draws each remote controlled by its primary, and nothing else as control", () => {
        const expected = config.clusters
            .filter((c) => c.role === "remote")
            .map((c) => `${id(c.name)} ${id(c.primary!)}`)
            .sort();
        expect(edges(text, "-->|controlled by|")).toEqual(expected);
    });

    it("draws a dashed remote-secret arrow from every primary to every other cluster", () => {
        const expected = config.clusters
            .filter((p) => p.role === "primary")
            .flatMap((p) => config.clusters.filter((c) => c.name !== p.name).map((c) => `${id(p.name)} ${id(c.name)}`))
            .sort();
        expect(edges(text, "-.->|remote secret|")).toEqual(expected);
    });
});

describe("addresses in the topology", () => {
    it("shows 'allocated at deploy' for every address of the dev mesh before deploy", () => {
        const text = topologyMermaid(validated("dev"));
        expect(text).toContain(
            `c_eks_west["eks-west<br/>AWS EKS us-west-2 · primary<br/>east-west: ${notYetAllocated}<br/>ingress: ${notYetAllocated}"]`,
        );
        expect(text).toContain(`c_aks_east["aks-east<br/>Azure AKS eastus · remote<br/>east-west: ${notYetAllocated}"]`);
    });

    it("shows the addresses it is given, and those the config sets", () => {
        const config = validated("dev");
        config.clusters.push({
            ...config.clusters[1],
            name: "onprem",
            cloud: "existing",
            region: undefined,
            role: "primary",
            primary: undefined,
            network: "lab",
            eastWestAddress: "203.0.113.20",
        });
        const text = topologyMermaid(config, { "eks-west": { eastWest: "52.1.2.3", ingress: "52.1.2.4" } });
        expect(text).toContain(`c_eks_west["eks-west<br/>AWS EKS us-west-2 · primary<br/>east-west: 52.1.2.3<br/>ingress: 52.1.2.4"]`);
        expect(text).toContain(`c_onprem["onprem<br/>existing cluster · primary<br/>east-west: 203.0.113.20"]`);
    });

    it("escapes quotes and angle brackets in network names", () => {
        const config = validated("dev");
        config.clusters[0].network = 'net "one" <a>';
        expect(topologyMermaid(config)).toContain('subgraph net0 ["network net #quot;one#quot; #lt;a#gt;"]');
    });
});

describe("topology.md", () => {
    it("wraps the flowchart in a mermaid block under a heading naming the stack", () => {
        const config = validated("dev");
        const md = topologyMarkdown("dev", config);
        expect(md.startsWith("#### Mesh topology of stack `dev`\n\n```mermaid\n")).toBe(true);
        expect(md).toContain(`\`\`\`mermaid\n${topologyMermaid(config)}\n\`\`\`\n`);
    });
});
