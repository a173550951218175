import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import { ConfigError, configNamespace, defaults, MeshConfig, parseMeshConfig } from "../stacks/config";

const root = path.join(__dirname, "..");
const readYaml = (file: string): any => parse(fs.readFileSync(path.join(root, file), "utf8"));

const project = readYaml("Pulumi.yaml");
const dev = readYaml("Pulumi.dev.yaml");

const scalarTypes = ["string", "boolean", "integer"];
const declarationTypes = [...scalarTypes, "array"];
const declarationAttributes = ["type", "items", "description", "default", "secret"];

const isMap = (v: unknown): v is Record<string, any> => typeof v === "object" && v !== null && !Array.isArray(v);
const show = (v: unknown) => JSON.stringify(v);

/** True when a project key belongs to the project: no namespace, or the project's own. */
function isProjectKey(projectName: string, key: string): boolean {
    return !key.includes(":") || key.startsWith(`${projectName}:`);
}

/** The key without the project's namespace. */
function bareKey(projectName: string, key: string): string {
    return key.startsWith(`${projectName}:`) ? key.slice(projectName.length + 1) : key;
}

/** True when a value has a declared type (`items` for arrays); values as YAML parses them. */
function matchesType(decl: { type?: unknown; items?: { type?: unknown } }, value: unknown): boolean {
    switch (decl.type) {
        case "string":
            return typeof value === "string";
        case "boolean":
            return typeof value === "boolean";
        case "integer":
            return Number.isInteger(value);
        case "array":
            return Array.isArray(value) && isMap(decl.items) && value.every((v) => matchesType(decl.items!, v));
        default:
            return false;
    }
}

/**
 * Problems of a Pulumi.yaml `config:` block under Pulumi's project schema, plus this project's rule
 * that every declared key has a default (a declared key without one is required for every stack).
 */
function projectConfigProblems(projectName: string, config: unknown): string[] {
    if (config === undefined || config === null) return [];
    if (!isMap(config)) return [`config: ${show(config)} is not a map of keys`];
    const problems: string[] = [];
    for (const [key, decl] of Object.entries(config)) {
        if (!isProjectKey(projectName, key)) {
            if (!isMap(decl) || Object.keys(decl).join() !== "value") {
                problems.push(`${key}: a key of another namespace takes only { value: ... } (found ${show(decl)})`);
            }
            continue;
        }
        if (!isMap(decl)) {
            problems.push(`${key}: must be a declaration with type ${declarationTypes.join(", ")} (found ${show(decl)})`);
            continue;
        }
        for (const attribute of Object.keys(decl).filter((a) => !declarationAttributes.includes(a))) {
            problems.push(`${key}.${attribute}: not an attribute of a declaration (valid: ${declarationAttributes.join(", ")})`);
        }
        if (decl.type === "object" || decl.type === "map") {
            problems.push(`${key}.type: ${show(decl.type)}: project config cannot declare objects or maps`);
            continue;
        }
        if (!declarationTypes.includes(decl.type)) {
            problems.push(`${key}.type: ${show(decl.type)} is not one of ${declarationTypes.join(", ")}`);
            continue;
        }
        if (decl.type === "array") {
            if (!isMap(decl.items) || !scalarTypes.includes(decl.items.type) || Object.keys(decl.items).join() !== "type") {
                problems.push(`${key}.items: an array needs items of one scalar type (found ${show(decl.items)})`);
                continue;
            }
        } else if (decl.items !== undefined) {
            problems.push(`${key}.items: only an array has items`);
        }
        if (decl.description !== undefined && typeof decl.description !== "string") {
            problems.push(`${key}.description: ${show(decl.description)} is not a string`);
        }
        if (decl.secret !== undefined && typeof decl.secret !== "boolean") {
            problems.push(`${key}.secret: ${show(decl.secret)} is not a boolean`);
        }
        if (!("default" in decl) || decl.default === null) {
            problems.push(`${key}: has no default, so every stack would have to set it`);
        } else if (!matchesType(decl, decl.default)) {
            problems.push(`${key}.default: ${show(decl.default)} is not of type ${decl.type}`);
        }
    }
    return problems;
}

/** Project keys declared in a `config:` block, by bare name. */
function declarations(projectName: string, config: Record<string, any>): Map<string, Record<string, any>> {
    return new Map(
        Object.entries(config ?? {})
            .filter(([key]) => isProjectKey(projectName, key))
            .map(([key, decl]) => [bareKey(projectName, key), decl]),
    );
}

/** Differences between the declared defaults and the code's. */
function defaultProblems(projectName: string, config: Record<string, any>, expected: Record<string, unknown>): string[] {
    const declared = declarations(projectName, config);
    return Object.entries(expected).flatMap(([key, value]) => {
        const decl = declared.get(key);
        if (!decl) return [`${key}: not declared in Pulumi.yaml`];
        return show(decl.default) === show(value) ? [] : [`${key}: Pulumi.yaml default ${show(decl.default)}, code default ${show(value)}`];
    });
}

/** Keys that must not be declared (in either spelling). */
function forbiddenDeclarations(projectName: string, config: Record<string, any>, keys: string[]): string[] {
    const declared = declarations(projectName, config);
    return keys.filter((k) => declared.has(k)).map((k) => `${k}: must not be declared in Pulumi.yaml`);
}

/** The providers `pulumi:disable-default-providers` turns off. */
function disabledDefaultProviders(config: Record<string, any>): unknown[] {
    const value = config?.["pulumi:disable-default-providers"]?.value;
    return Array.isArray(value) ? value : [];
}

/** Stack values of the project's namespace whose type differs from the project's declaration. */
function stackValueProblems(projectName: string, projectConfig: Record<string, any>, stackConfig: Record<string, any>): string[] {
    const declared = declarations(projectName, projectConfig);
    return Object.entries(stackConfig ?? {}).flatMap(([key, value]) => {
        if (!key.startsWith(`${projectName}:`)) return [];
        const decl = declared.get(bareKey(projectName, key));
        if (!decl || matchesType(decl, value)) return [];
        return [`${key}: ${show(value)} is not of the declared type ${decl.type}`];
    });
}

/** Parses a stack file's config the way loadMeshConfig does. */
function stackMeshConfig(stackConfig: Record<string, any>): { config: MeshConfig; warnings: string[] } {
    const raw = Object.fromEntries(
        Object.entries(stackConfig)
            .filter(([key]) => key.startsWith(`${configNamespace}:`))
            .map(([key, value]) => [key.slice(configNamespace.length + 1), value]),
    );
    return parseMeshConfig(raw, { gcpProject: stackConfig["gcp:project"] });
}

const codeDefaults = {
    meshId: defaults.meshId,
    istioVersion: defaults.istioVersion,
    chartRepository: defaults.chartRepository,
    imageHub: defaults.imageHub,
    protectRootCa: defaults.protectRootCa,
};

describe("Pulumi.yaml", () => {
    it("names the project after the config namespace the code reads", () => {
        expect(project.name).toBe(configNamespace);
    });

    it("declares its config by Pulumi's project schema, each key with a default", () => {
        expect(isMap(project.config)).toBe(true);
        expect(projectConfigProblems(project.name, project.config)).toEqual([]);
    });

    it("declares no object or map project key", () => {
        for (const decl of declarations(project.name, project.config).values()) {
            expect(declarationTypes).toContain(decl.type);
        }
    });

    it("declares the code's defaults", () => {
        expect(defaultProblems(project.name, project.config, codeDefaults)).toEqual([]);
    });

    it("turns off the default Kubernetes provider", () => {
        expect(disabledDefaultProviders(project.config)).toContain("kubernetes");
    });

    it("does not declare clusters, kubeconfigs or adminPrincipals", () => {
        expect(forbiddenDeclarations(project.name, project.config, ["clusters", "kubeconfigs", "adminPrincipals"])).toEqual([]);
    });

    it("runs the stack program, index.ts, and not package.json's main (the library), which Pulumi runs otherwise", () => {
        const pkg = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8"));
        expect(project.main).toBe("index.ts");
        expect(pkg.main).toBe("dist/index.js");
        expect(pkg.main).not.toBe(project.main);
        expect(fs.readFileSync(path.join(root, project.main), "utf8")).toMatch(/buildMesh\(\)/);
    });
});

describe("package.json as a library", () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8"));

    it("exports the built library with its declarations, and ships only dist/", () => {
        expect(pkg.exports["."]).toEqual({ types: "./dist/index.d.ts", default: "./dist/index.js" });
        expect(pkg.types).toBe("dist/index.d.ts");
        expect(pkg.files).toEqual(["dist"]);
    });

    it("builds the library when installed from git (prepare) and before the tests", () => {
        expect(pkg.scripts.prepare).toBe("tsc -p tsconfig.lib.json");
        expect(pkg.scripts.test).toBe("tsc --noEmit && npm run build && jest");
    });
});

describe("the checks of Pulumi.yaml", () => {
    const ok = { type: "string", default: "x" };

    it.each<[string, Record<string, unknown>, string[]]>([
        [
            "a valid block",
            { a: ok, b: { type: "array", items: { type: "integer" }, default: [1, 2] }, "aws:region": { value: "us-west-2" } },
            [],
        ],
        ["a shorthand project value", { a: "x" }, [`a: must be a declaration with type string, boolean, integer, array (found "x")`]],
        ["an object type", { a: { type: "object", default: {} } }, [`a.type: "object": project config cannot declare objects or maps`]],
        ["a map type", { "proj:a": { type: "map", default: {} } }, [`proj:a.type: "map": project config cannot declare objects or maps`]],
        ["a missing type", { a: { default: "x" } }, [`a.type: undefined is not one of string, boolean, integer, array`]],
        ["a number type", { a: { type: "number", default: 1.5 } }, [`a.type: "number" is not one of string, boolean, integer, array`]],
        [
            "an array without items",
            { a: { type: "array", default: [] } },
            [`a.items: an array needs items of one scalar type (found undefined)`],
        ],
        [
            "an array of objects",
            { a: { type: "array", items: { type: "object" }, default: [] } },
            [`a.items: an array needs items of one scalar type (found {"type":"object"})`],
        ],
        ["items on a scalar", { a: { ...ok, items: { type: "string" } } }, [`a.items: only an array has items`]],
        ["a missing default", { a: { type: "string" } }, [`a: has no default, so every stack would have to set it`]],
        ["a default of another type", { a: { type: "boolean", default: "true" } }, [`a.default: "true" is not of type boolean`]],
        ["a fractional integer default", { a: { type: "integer", default: 1.5 } }, [`a.default: 1.5 is not of type integer`]],
        [
            "an array default of another item type",
            { a: { type: "array", items: { type: "string" }, default: ["x", 1] } },
            [`a.default: ["x",1] is not of type array`],
        ],
        ["a secret that is not a boolean", { a: { ...ok, secret: "yes" } }, [`a.secret: "yes" is not a boolean`]],
        ["a description that is not a string", { a: { ...ok, description: 5 } }, [`a.description: 5 is not a string`]],
        [
            "a value on a project key",
            { a: { ...ok, value: "y" } },
            [`a.value: not an attribute of a declaration (valid: type, items, description, default, secret)`],
        ],
        [
            "a type on another namespace's key",
            { "aws:region": { type: "string", default: "us-west-2" } },
            [`aws:region: a key of another namespace takes only { value: ... } (found {"type":"string","default":"us-west-2"})`],
        ],
        [
            "a bare value on another namespace's key",
            { "pulumi:disable-default-providers": ["kubernetes"] },
            [`pulumi:disable-default-providers: a key of another namespace takes only { value: ... } (found ["kubernetes"])`],
        ],
    ])("finds %s", (_, config, problems) => {
        expect(projectConfigProblems("proj", config)).toEqual(problems);
    });

    it("finds a config block that is not a map", () => {
        expect(projectConfigProblems("proj", ["a"])).toEqual([`config: ["a"] is not a map of keys`]);
    });

    it("finds defaults that differ from the code's, or are not declared", () => {
        const config = { meshId: { type: "string", default: "mesh2" }, "proj:protectRootCa": { type: "boolean", default: true } };
        expect(defaultProblems("proj", config, { meshId: "mesh1", protectRootCa: true, istioVersion: "1.30.4" })).toEqual([
            `meshId: Pulumi.yaml default "mesh2", code default "mesh1"`,
            `istioVersion: not declared in Pulumi.yaml`,
        ]);
    });

    it("finds keys that must not be declared", () => {
        const config = { clusters: { type: "array", items: { type: "string" }, default: [] }, "proj:kubeconfigs": ok, meshId: ok };
        expect(forbiddenDeclarations("proj", config, ["clusters", "kubeconfigs", "adminPrincipals"])).toEqual([
            `clusters: must not be declared in Pulumi.yaml`,
            `kubeconfigs: must not be declared in Pulumi.yaml`,
        ]);
    });

    it("finds default providers left on", () => {
        expect(disabledDefaultProviders({})).not.toContain("kubernetes");
        expect(disabledDefaultProviders({ "pulumi:disable-default-providers": { value: ["aws"] } })).not.toContain("kubernetes");
        expect(disabledDefaultProviders({ "pulumi:disable-default-providers": ["kubernetes"] })).not.toContain("kubernetes");
    });

    it("finds stack values of another type than declared", () => {
        const config = { meshId: ok, "proj:protectRootCa": { type: "boolean", default: true } };
        const stack = { "proj:protectRootCa": "false", "proj:meshId": 7, "proj:clusters": [], "other:meshId": 7 };
        expect(stackValueProblems("proj", config, stack)).toEqual([
            `proj:protectRootCa: "false" is not of the declared type boolean`,
            `proj:meshId: 7 is not of the declared type string`,
        ]);
    });

    it("finds a stack config that does not parse", () => {
        let error: unknown;
        try {
            stackMeshConfig({ [`${configNamespace}:clusters`]: [{ name: "gke", cloud: "gcp", region: "us-central1" }] });
        } catch (err) {
            error = err;
        }
        expect(error).toBeInstanceOf(ConfigError);
        expect((error as ConfigError).problems).toEqual([`clusters[0].project: is required for cloud "gcp" when gcp:project is not set`]);
        // With gcp:project it parses: the context is passed through.
        const { config } = stackMeshConfig({
            "gcp:project": "acme-mesh",
            [`${configNamespace}:clusters`]: [{ name: "gke", cloud: "gcp", region: "us-central1" }],
        });
        expect(config.clusters[0].project).toBe("acme-mesh");
    });
});

describe("Pulumi.dev.yaml", () => {
    it("gives declared keys values of their declared types", () => {
        expect(isMap(dev.config)).toBe(true);
        expect(stackValueProblems(project.name, project.config, dev.config)).toEqual([]);
    });

    it("parses, warning only that eks-west takes the whole Elastic IP quota of us-west-2", () => {
        const { warnings } = stackMeshConfig(dev.config);
        expect(warnings).toEqual([expect.stringMatching(/^Elastic IPs: the EKS clusters in us-west-2 \(eks-west\) need 5 Elastic IPs/)]);
    });

    it("describes an EKS primary, an AKS remote of it and a GKE primary, each on a network of its own", () => {
        const { config } = stackMeshConfig(dev.config);
        expect(config.clusters).toHaveLength(3);
        const [eks, aks, gke] = config.clusters;
        expect(eks).toMatchObject({ cloud: "aws", role: "primary", region: "us-west-2", network: "network1" });
        expect(aks).toMatchObject({ cloud: "azure", role: "remote", primary: eks.name, region: "eastus", network: "network2" });
        expect(gke).toMatchObject({ cloud: "gcp", role: "primary", region: "us-central1", network: "network3" });
        expect(gke.project).toBe(dev.config["gcp:project"]);
    });
});

describe("Pulumi.local.yaml", () => {
    const local = readYaml("Pulumi.local.yaml");

    it("gives declared keys values of their declared types", () => {
        expect(stackValueProblems(project.name, project.config, local.config)).toEqual([]);
    });

    it("describes a kind primary with ingress and a kind remote of it, without warnings", () => {
        const { config, warnings } = stackMeshConfig(local.config);
        expect(warnings).toEqual([]);
        expect(config.clusters.map((c) => [c.name, c.cloud, c.role, c.primary, c.ingress])).toEqual([
            ["kind-primary", "kind", "primary", undefined, true],
            ["kind-remote", "kind", "remote", "kind-primary", false],
        ]);
    });
});
