// The real program, run under the mock engine, against the mandatory policies: what the pack
// enforces, the program must already do.
import type { ResourceValidationPolicy } from "@pulumi/policy";
import {
    isMeshWidePeerAuthentication,
    kubernetesExplicitProvider,
    meshMtlsOnEveryPrimary,
    meshMtlsStrict,
    noCredentialsInPlainConfig,
    types,
} from "../../policy/policies";
import { Recorder, Registration, reveal } from "../harness";
import { meshes, runMesh } from "../stacks/fixtures";
import { ResourceSpec, stackViolations, violations } from "./harness";

/** A registration as a policy sees it: inputs with secrets unwrapped, the provider as its own object. */
function asPolicySees(r: Registration, rec: Recorder): ResourceSpec {
    const provider = rec.providerOf(r);
    return {
        type: r.type,
        name: r.name,
        props: reveal(r.inputs),
        provider: provider ? { type: provider.type, name: provider.name, urn: provider.urn, props: {} } : undefined,
    };
}

async function allViolations(policy: ResourceValidationPolicy, rec: Recorder): Promise<string[]> {
    const found: string[] = [];
    for (const r of rec.all) found.push(...(await violations(policy, asPolicySees(r, rec))));
    return found;
}

describe.each(["dev", "five-cluster"])("the %s mesh under the policy pack", (mesh) => {
    let rec: Recorder;
    beforeAll(async () => {
        ({ rec } = await runMesh(meshes[mesh]));
    });

    it("puts every Kubernetes resource on its cluster's provider", async () => {
        expect(rec.all.filter((r) => r.type.startsWith("kubernetes:")).length).toBeGreaterThan(10);
        expect(await allViolations(kubernetesExplicitProvider, rec)).toEqual([]);
    });

    it("keeps credentials out of ConfigMaps, annotations and Helm values (remote secrets and cacerts are Secrets)", async () => {
        expect(rec.ofType(types.helmRelease).length).toBeGreaterThan(0);
        expect(await allViolations(noCredentialsInPlainConfig, rec)).toEqual([]);
    });

    it("sets mesh-wide mTLS STRICT wherever it writes the mesh-wide PeerAuthentication", async () => {
        expect(await allViolations(meshMtlsStrict, rec)).toEqual([]);
    });

    // The program gains its PeerAuthentications in a change of its own. Before it registers any,
    // the stack policy must flag exactly the primaries; after, none.
    it("has a mesh-wide PeerAuthentication on every primary (or, before the program writes them, the policy names each primary)", async () => {
        const written = rec.all.some((r) => isMeshWidePeerAuthentication(r.type, reveal(r.inputs)));
        const found = await stackViolations(
            meshMtlsOnEveryPrimary,
            rec.all.map((r) => asPolicySees(r, rec)),
        );
        if (written) {
            expect(found).toEqual([]);
        } else {
            const clusters = (meshes[mesh].clusters as { name: string; role?: string }[])
                .filter((c) => c.role !== "remote")
                .map((c) => c.name);
            expect(found.map((f) => /^Cluster (\S+) runs istiod/.exec(f.message)?.[1]).sort()).toEqual(clusters.sort());
        }
    });
});
