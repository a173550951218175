import * as pulumi from "@pulumi/pulumi";
import * as fs from "fs";
import * as path from "path";
import { settle, startMockEngine } from "../../harness";
import { registeredUrns, UrnShape, urnShapes } from "./shapes";

/**
 * URNs are a contract: a stack deployed from an earlier main must take this one without a
 * resource being replaced that its user did not ask to replace. `recorded.json` holds every URN
 * these shapes have registered on main since the contract began (recorded before any change that
 * could move one); each must still be registered, or be an alias of a registration, as the
 * engine would then move the resource instead of deleting it and creating a new one.
 *
 * `npm run urns:record` adds the URNs of resources that are new; it never removes one.
 */
const fixture = path.join(__dirname, "recorded.json");
const recorded: Record<string, string[]> = fs.existsSync(fixture) ? JSON.parse(fs.readFileSync(fixture, "utf8")) : {};
const recording = process.env.URNS_RECORD === "1";

/**
 * The one narrowing of the contract, and only these URNs. Issue 13 made the demo's default
 * helloworld version independent of the clusters' order (v1 on primaries, v2 on remotes) and
 * accepts replacing the demo's Deployments once, on that upgrade (said in docs/configuration.md). The dev
 * and local stacks keep every version; in the synthetic "everything" shape three clusters change
 * version, so each of these recorded Deployments may give way to its other version's, which must
 * then be registered.
 */
const demoDeploymentsReplacedByIssue13: Record<string, string[]> = {
    // Each as it was recorded before the mesh became a component, and under it (a main between).
    everything: ["aks-east-helloworld-v1", "gke-central-helloworld-v2", "onprem-helloworld-v1"].flatMap((name) => [
        `urn:pulumi:dev::istio-multicloud::istio-multicloud:apps:Helloworld$kubernetes:apps/v1:Deployment::${name}`,
        `urn:pulumi:dev::istio-multicloud::istio-multicloud:mesh:IstioMesh$istio-multicloud:apps:MeshDemo$istio-multicloud:apps:Helloworld$kubernetes:apps/v1:Deployment::${name}`,
    ]),
};
const otherVersion = (urn: string) => urn.replace(/helloworld-v([12])$/, (_, v) => `helloworld-v${v === "1" ? "2" : "1"}`);

describe("URNs recorded from earlier mains", () => {
    const shapes = Object.keys(urnShapes) as UrnShape[];

    if (recording) {
        it("records the URNs of every shape (union with what was recorded)", async () => {
            const next: Record<string, string[]> = {};
            for (const shape of shapes) {
                const { urns } = await registeredUrns(shape);
                next[shape] = [...new Set([...(recorded[shape] ?? []), ...urns])].sort();
            }
            fs.writeFileSync(fixture, JSON.stringify(next, null, 2) + "\n");
        });
        return;
    }

    it("has a recording for every shape", () => {
        expect(Object.keys(recorded).sort()).toEqual([...shapes].sort());
    });

    it.each(shapes)("%s: every recorded URN is still registered or aliased", async (shape) => {
        const { urns, aliases } = await registeredUrns(shape);
        const known = new Set([...urns, ...aliases]);
        const replaced = (urn: string) => (demoDeploymentsReplacedByIssue13[shape] ?? []).includes(urn) && known.has(otherVersion(urn));
        const lost = (recorded[shape] ?? []).filter((urn) => !known.has(urn) && !replaced(urn));
        expect(lost).toEqual([]);
        expect(recorded[shape]?.length).toBeGreaterThan(0);
    });
});

describe("URNs and aliases as the engine forms them", () => {
    const U = "urn:pulumi:dev::istio-multicloud::";

    async function register(build: () => void) {
        const rec = startMockEngine({});
        build();
        await settle();
        return Object.fromEntries(rec.all.map((r) => [r.name, { urn: r.engineUrn, aliases: r.aliases }]));
    }

    it("resolves a renamed child, a child moved out of its parent, and a URN alias", async () => {
        const got = await register(() => {
            const parent = new pulumi.ComponentResource("istio-multicloud:test:Parent", "p", {}, {});
            new pulumi.ComponentResource("istio-multicloud:test:Child", "new-name", {}, { parent, aliases: [{ name: "old-name" }] });
            new pulumi.ComponentResource("istio-multicloud:test:Child", "moved", {}, { parent, aliases: [{ parent: undefined }] });
            new pulumi.ComponentResource("istio-multicloud:test:Child", "by-urn", {}, { aliases: [`${U}old:Type::x`] });
        });
        expect(got).toEqual({
            p: { urn: `${U}istio-multicloud:test:Parent::p`, aliases: [] },
            "new-name": {
                urn: `${U}istio-multicloud:test:Parent$istio-multicloud:test:Child::new-name`,
                aliases: [`${U}istio-multicloud:test:Parent$istio-multicloud:test:Child::old-name`],
            },
            moved: {
                urn: `${U}istio-multicloud:test:Parent$istio-multicloud:test:Child::moved`,
                aliases: [`${U}istio-multicloud:test:Child::moved`],
            },
            "by-urn": { urn: `${U}istio-multicloud:test:Child::by-urn`, aliases: [`${U}old:Type::x`] },
        });
    });

    it("names every ancestor's type in a grandchild's URN, where the mock monitor names only its parent's", async () => {
        const got = await register(() => {
            const mesh = new pulumi.ComponentResource("istio-multicloud:test:Mesh", "mesh", {}, {});
            const cp = new pulumi.ComponentResource("istio-multicloud:test:ControlPlane", "east", {}, { parent: mesh });
            new pulumi.ComponentResource("istio-multicloud:test:Leaf", "east-ns", {}, { parent: cp });
        });
        expect(got["east-ns"].urn).toBe(
            `${U}istio-multicloud:test:Mesh$istio-multicloud:test:ControlPlane$istio-multicloud:test:Leaf::east-ns`,
        );
    });

    it("gives a moved component's children its old URNs as inherited aliases, renamed with the parent", async () => {
        const got = await register(() => {
            const mesh = new pulumi.ComponentResource("istio-multicloud:test:Mesh", "mesh", {}, {});
            // Was at the stack's root as "east"; now under the mesh as "mesh-east".
            const cp = new pulumi.ComponentResource(
                "istio-multicloud:test:ControlPlane",
                "mesh-east",
                {},
                {
                    parent: mesh,
                    aliases: [{ name: "east", parent: undefined }],
                },
            );
            new pulumi.ComponentResource("istio-multicloud:test:Leaf", "mesh-east-ns", {}, { parent: cp });
            new pulumi.ComponentResource("istio-multicloud:test:Leaf", "other", {}, { parent: cp });
        });
        expect(got["mesh-east"].aliases).toEqual([`${U}istio-multicloud:test:ControlPlane::east`]);
        expect(got["mesh-east-ns"].aliases).toEqual([`${U}istio-multicloud:test:ControlPlane$istio-multicloud:test:Leaf::east-ns`]);
        expect(got.other.aliases).toEqual([`${U}istio-multicloud:test:ControlPlane$istio-multicloud:test:Leaf::other`]);
    });
});
