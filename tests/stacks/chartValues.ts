import Ajv from "ajv";
import * as fs from "fs";
import * as path from "path";

// Istio 1.30.3's chart data, shared with the project: the keys base/istiod declare and the
// gateway chart's values schema.
const dataDir = path.join(__dirname, "..", "..", "..", "shared", "istio-1.30.3");
const chartKeys = JSON.parse(fs.readFileSync(path.join(dataDir, "chart-value-keys.json"), "utf8"));
const gatewaySchema = JSON.parse(fs.readFileSync(path.join(dataDir, "gateway.values.schema.json"), "utf8"));

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
 * Keys of `values` that the chart does not read: neither declared in its values.yaml nor read
 * by its templates. Below a declared leaf (a list or an empty map) anything goes.
 */
export function unknownChartKeys(chart: "base" | "istiod", values: Record<string, unknown>): string[] {
    const known: string[] = [...chartKeys[chart], ...chartKeys._meta.templateReferencedKeysNotInValuesYaml[chart]];
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

const ajv = new Ajv({ strict: false, allErrors: true });
const validateGateway = ajv.compile(gatewaySchema);

/** Schema errors of `gateway` chart values (Helm refuses to install with any). */
export function gatewayValueErrors(values: unknown): string[] {
    return validateGateway(values)
        ? []
        : (validateGateway.errors ?? []).map((e) => `${e.instancePath || "/"} ${e.message} ${JSON.stringify(e.params)}`);
}
