import Ajv from "ajv";
import * as fs from "fs";
import * as path from "path";
import { istioMinors } from "../../components/mesh/istioReleases";

/**
 * Each supported Istio minor's chart data (tests/data/istio/<minor>, see its README): the keys
 * base/istiod declare or their templates read, and the gateway chart's values schema.
 */
interface MinorData {
    keys: Record<"base" | "istiod" | "gateway", string[]>;
    templateKeys: Record<"base" | "istiod" | "gateway", string[]>;
    validateGateway: ReturnType<Ajv["compile"]>;
}

const dataRoot = path.join(__dirname, "..", "data", "istio");
const ajv = new Ajv({ strict: false, allErrors: true });
const data = new Map<string, MinorData>();

/** The chart data of a minor such as 1.31 (or of the minor of a version such as 1.31.1). */
function dataOf(version: string): MinorData {
    const minor = /^(\d+\.\d+)/.exec(version)?.[1] ?? version;
    let found = data.get(minor);
    if (!found) {
        const dir = path.join(dataRoot, minor);
        const keys = JSON.parse(fs.readFileSync(path.join(dir, "chart-value-keys.json"), "utf8"));
        const schema = JSON.parse(fs.readFileSync(path.join(dir, "gateway.values.schema.json"), "utf8"));
        found = { keys: keys.keys, templateKeys: keys.templateKeys, validateGateway: ajv.compile(schema) };
        data.set(minor, found);
    }
    return found;
}

/** Minors with chart data: every minor the program supports. */
export const minorsWithData = istioMinors.map((m) => m.minor);

/** Every key path of a values object, with literal dots escaped as the key list writes them. */
export function keyPaths(values: Record<string, unknown>, prefix = ""): string[] {
    return Object.entries(values).flatMap(([key, value]) => {
        const here = prefix + key.replace(/\./g, "\\.");
        if (value && typeof value === "object" && !Array.isArray(value) && Object.keys(value).length > 0) {
            return keyPaths(value as Record<string, unknown>, `${here}.`);
        }
        return [here];
    });
}

/**
 * Keys of `values` that the chart of an Istio version does not read: neither declared in its
 * values.yaml nor read by its templates. Below a declared leaf (a list or an empty map) anything goes.
 */
export function unknownChartKeys(chart: "base" | "istiod", values: Record<string, unknown>, version: string): string[] {
    const { keys, templateKeys } = dataOf(version);
    const known: string[] = [...keys[chart], ...templateKeys[chart]];
    const isLeaf = (key: string) => !known.some((k) => k.startsWith(`${key}.`));
    return keyPaths(values).filter((p) => {
        if (known.includes(p)) return false;
        const parts = p.split(/(?<!\\)\./);
        for (let i = parts.length - 1; i > 0; i--) {
            const prefix = parts.slice(0, i).join(".");
            if (known.includes(prefix) && isLeaf(prefix)) return false;
        }
        return true;
    });
}

/** Schema errors of `gateway` chart values for an Istio version (Helm refuses to install with any). */
export function gatewayValueErrors(values: unknown, version: string): string[] {
    const validate = dataOf(version).validateGateway;
    return validate(values) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath || "/"} ${e.message} ${JSON.stringify(e.params)}`);
}
