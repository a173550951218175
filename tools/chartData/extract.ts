/**
 * Derives the test data that checks the Helm values this program sends to Istio's charts, from
 * a folder of Istio's chart sources (`base/`, `istiod/`, `gateway/`, as in `manifests/charts` of
 * the Istio source tree). Pure: reads files, returns the data.
 */
import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";

export const charts = ["base", "istiod", "gateway"] as const;
export type ChartName = (typeof charts)[number];

/** What one Istio minor's charts accept. */
export interface ChartData {
    /** Where the chart sources came from (git ref and commit of istio/istio). */
    source: { ref: string; commit: string };
    /** Every key path each chart's values.yaml declares (defaults prefix stripped). */
    keys: Record<ChartName, string[]>;
    /** Key paths the templates read that values.yaml does not declare (e.g. `profile`). */
    templateKeys: Record<ChartName, string[]>;
    conventions: string[];
}

// The charts keep their defaults under this key (a Helm workaround); users set the keys below it.
const defaultsKey = "_internal_defaults_do_not_set";
// Roots the templates read that are the chart's own bookkeeping, not values a user sets.
const internalRoots = new Set([defaultsKey, "_original", "defaults"]);

const escape = (key: string) => key.replace(/\./g, "\\.");

/** Key paths of a values map: intermediate maps and leaves; lists and empty maps are leaves. */
export function keyPaths(values: Record<string, unknown>, prefix = ""): string[] {
    return Object.entries(values).flatMap(([key, value]) => {
        const here = prefix + escape(key);
        const isMap = value !== null && typeof value === "object" && !Array.isArray(value);
        if (isMap && Object.keys(value as object).length > 0) {
            return [here, ...keyPaths(value as Record<string, unknown>, `${here}.`)];
        }
        return [here];
    });
}

function filesUnder(dir: string): string[] {
    if (!fs.existsSync(dir)) return [];
    return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
        const p = path.join(dir, e.name);
        return e.isDirectory() ? filesUnder(p) : [p];
    });
}

/**
 * Value paths the chart's templates read: `.Values.a.b`, the null-safe `(.Values.a).b` and
 * `dig "a" "b" <default> .Values`. The injection templates in files/ are not read: istiod renders
 * them at injection time with values of its own.
 */
function templateReferences(chartDir: string): string[] {
    const found = new Set<string>();
    const add = (parts: string[]) => {
        if (parts.length > 0 && !internalRoots.has(parts[0])) found.add(parts.join("."));
    };
    for (const file of filesUnder(path.join(chartDir, "templates"))) {
        const text = fs.readFileSync(file, "utf8");
        for (const m of text.matchAll(/\(\$?\.Values((?:\.\w+)*)\)((?:\.\w+)+)/g)) {
            add([...m[1].split(".").filter(Boolean), ...m[2].split(".").filter(Boolean)]);
        }
        for (const m of text.matchAll(/\.Values((?:\.\w+)+)/g)) add(m[1].split(".").filter(Boolean));
        for (const m of text.matchAll(/dig((?:\s+"[^"]+")+)\s+\S+\s+\$?\.Values\b/g)) {
            add([...m[1].matchAll(/"([^"]+)"/g)].map((x) => x[1]));
        }
    }
    return [...found].sort();
}

/** The data of one chart folder. */
function chartKeys(chartDir: string): { keys: string[]; templateKeys: string[] } {
    const doc = parse(fs.readFileSync(path.join(chartDir, "values.yaml"), "utf8")) ?? {};
    const values = (doc[defaultsKey] ?? doc) as Record<string, unknown>;
    const keys = keyPaths(values);
    const declared = new Set(keys);
    // Below a declared leaf (a list or empty map) the chart takes anything: not an extra key.
    const leaves = keys.filter((k) => !keys.some((other) => other.startsWith(`${k}.`)));
    const underLeaf = (k: string) => leaves.some((leaf) => k.startsWith(`${leaf}.`));
    const templateKeys = templateReferences(chartDir).filter((k) => !declared.has(k) && !underLeaf(k));
    return { keys, templateKeys };
}

/** Reads `<dir>/{base,istiod,gateway}` and returns their key data. */
export function extractChartData(dir: string, source: { ref: string; commit: string }): ChartData {
    const keys = {} as Record<ChartName, string[]>;
    const templateKeys = {} as Record<ChartName, string[]>;
    for (const chart of charts) {
        const data = chartKeys(path.join(dir, chart));
        keys[chart] = data.keys;
        templateKeys[chart] = data.templateKeys;
    }
    return {
        source,
        keys,
        templateKeys,
        conventions: [
            `values.yaml defaults live under ${defaultsKey}; that prefix is stripped (users set global.network, never ${defaultsKey}.global.network).`,
            "Intermediate maps and leaves are listed; lists and empty maps ({}) are leaves whose children are free-form.",
            "A literal dot inside a key is escaped as '\\.' (Helm --set style).",
            'templateKeys: paths the templates (templates/) read as .Values.a.b, (.Values.a).b or dig "a" "b" .Values that values.yaml does not declare.',
            "Only the gateway chart has values.schema.json (additionalProperties: false at the top); Helm ignores unknown keys of base and istiod silently.",
        ],
    };
}
