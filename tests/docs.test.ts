import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import { clusterVariants, configInputSchema, topFields } from "../stacks/config";

const root = path.join(__dirname, "..");
const pkg = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8"));

/** Every page a reader is sent to: the front page, docs/, CONTRIBUTING, the examples' README. */
const pages = [
    "README.md",
    "CONTRIBUTING.md",
    "examples/README.md",
    ...fs.readdirSync(path.join(root, "docs")).map((f) => `docs/${f}`),
].filter((f) => f.endsWith(".md"));
const text = Object.fromEntries(pages.map((p) => [p, fs.readFileSync(path.join(root, p), "utf8")]));

const clusterKeys = new Set(Object.values(clusterVariants).flatMap((v) => Object.keys(v.shape)));
const objectKeys: Record<string, string[]> = {
    clusters: [...clusterKeys],
    peers: ["name", "stack", "role", "network", "primary"],
    adminPrincipals: ["aws", "azure", "gcp"],
    rootCa: ["certPem", "keyPem"],
    trafficPolicy: ["localityFailover", "versionHeader"],
    ingressTls: ["host", "credentialName"],
};

/** Fenced code blocks of a page, with their language. */
function codeBlocks(markdown: string): { lang: string; body: string }[] {
    return [...markdown.matchAll(/^```(\w*)\n([\s\S]*?)^```/gm)].map((m) => ({ lang: m[1], body: m[2] }));
}

describe("the documentation", () => {
    it("has a front page of at most 250 lines", () => {
        expect(text["README.md"].split("\n").length).toBeLessThanOrEqual(250);
    });

    it.each(pages)("%s names only npm scripts that exist", (page) => {
        const named = [...text[page].matchAll(/npm run ([a-z][\w:-]*)/g)].map((m) => m[1]);
        for (const script of named) expect({ page, script, exists: script in pkg.scripts }).toEqual({ page, script, exists: true });
    });

    it.each(pages)("%s names only config keys the model has", (page) => {
        const md = text[page];
        // `istio-multicloud:<key>`, not a type token such as `istio-multicloud:mesh:IstioMesh`.
        for (const m of md.matchAll(/istio-multicloud:([a-zA-Z]+)\b(?!:[A-Za-z])/g)) {
            expect({ page, key: m[1], known: m[1] in topFields }).toEqual({ page, key: m[1], known: true });
        }
        // `clusters[0].nodeCount`, `adminPrincipals.aws`; not a file such as `stacks/clusters.ts`.
        for (const m of md.matchAll(
            /(?<![\w/.-])(clusters|peers|adminPrincipals|rootCa|trafficPolicy|ingressTls)(?:\[(?:\d+|i)\])?\.([a-zA-Z]+)/g,
        )) {
            expect({ page, key: `${m[1]}.${m[2]}`, known: objectKeys[m[1]].includes(m[2]) }).toEqual({
                page,
                key: `${m[1]}.${m[2]}`,
                known: true,
            });
        }
    });

    it.each(pages)("%s shows stack config in YAML that the model reads without an unknown key", (page) => {
        for (const { body } of codeBlocks(text[page]).filter((b) => b.lang === "yaml" && b.body.includes("istio-multicloud:"))) {
            const doc = parse(body);
            const raw = Object.fromEntries(
                Object.entries((doc.config ?? {}) as Record<string, unknown>)
                    .filter(([k]) => k.startsWith("istio-multicloud:"))
                    .map(([k, v]) => [k.slice("istio-multicloud:".length), v]),
            );
            const issues = configInputSchema.safeParse(raw).error?.issues ?? [];
            const unknown = issues.filter(
                (i) => i.code === "unrecognized_keys" || (i.code === "invalid_union" && i.path.at(-1) === "cloud"),
            );
            expect({ page, unknown }).toEqual({ page, unknown: [] });
        }
    });

    it.each(pages)("%s links only to files that exist", (page) => {
        for (const m of text[page].matchAll(/\]\(([^)#\s]+)(#[^)]*)?\)/g)) {
            const target = m[1];
            if (/^[a-z]+:/.test(target)) continue; // a URL
            const resolved = path.join(root, path.dirname(page), target);
            expect({ page, target, exists: fs.existsSync(resolved) }).toEqual({ page, target, exists: true });
        }
    });
});
