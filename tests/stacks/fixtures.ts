import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import * as pulumi from "@pulumi/pulumi";
import type { PublishedStack } from "../../tools/synthetic/outputs";
import { buildMesh, MeshOutputs } from "../../stacks/mesh";
import { Recorder, settle, startMockEngine } from "../harness";

const root = path.join(__dirname, "..", "..");

/** A kubeconfig for an existing cluster, as `kind get kubeconfig` prints it. */
export const existingKubeconfig = `apiVersion: v1
kind: Config
clusters:
- name: kind-onprem
  cluster:
    server: https://203.0.113.10:6443
    certificate-authority-data: LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCm9ucHJlbQotLS0tLUVORCBDRVJUSUZJQ0FURS0tLS0tCg==
contexts:
- name: kind-onprem
  context: { cluster: kind-onprem, user: kind-onprem }
current-context: kind-onprem
users:
- name: kind-onprem
  user:
    client-certificate-data: Y2VydA==
    client-key-data: a2V5
`;

/**
 * A stack's config as its Pulumi.<stack>.yaml holds it (this project's keys without their
 * namespace), from the repository's root or from another folder of it (e.g. `examples/stacks`).
 */
export function stackFileConfig(stack: string, folder = "."): Record<string, unknown> {
    const doc = parse(fs.readFileSync(path.join(root, folder, `Pulumi.${stack}.yaml`), "utf8"));
    return Object.fromEntries(
        Object.entries(doc.config as Record<string, unknown>).map(([k, v]) => [k.replace(/^istio-multicloud:/, ""), v]),
    );
}

/** Stack configs of the mesh shapes the program must get right. */
export const meshes: Record<string, Record<string, unknown>> = {
    "primary-remote": stackFileConfig("primary-remote", "examples/stacks"),
    "multi-primary": stackFileConfig("multi-primary", "examples/stacks"),
    dev: stackFileConfig("dev"),
    "five-cluster": {
        meshId: "corp",
        "gcp:project": "acme-mesh",
        clusters: [
            { name: "eks-west", cloud: "aws", region: "us-west-2", network: "n-eks-west", singleNatGateway: true },
            { name: "gke-central", cloud: "gcp", region: "us-central1", network: "n-gke" },
            { name: "aks-east", cloud: "azure", region: "eastus", network: "n-aks", role: "remote", primary: "eks-west" },
            {
                name: "eks-east",
                cloud: "aws",
                region: "us-east-1",
                network: "n-eks-east",
                role: "remote",
                primary: "gke-central",
                singleNatGateway: true,
            },
            { name: "onprem", cloud: "existing", network: "n-onprem", role: "remote", primary: "eks-west", kubernetesVersion: "1.34" },
        ],
        kubeconfigs: { onprem: existingKubeconfig },
    },
};

/** Runs the real program under the mock engine and waits for every registration. */
export async function runMesh(config: Record<string, unknown>): Promise<{ rec: Recorder; outputs: MeshOutputs }> {
    const rec = startMockEngine(config, { secretKeys: ["kubeconfigs"] });
    const outputs = await buildMesh();
    await settle();
    return { rec, outputs };
}

/** What a stack run publishes, as the engine hands it to a StackReference of another stack. */
export async function publish(outputs: MeshOutputs): Promise<PublishedStack & { outputs: Record<string, any> }> {
    const plain = await new Promise<any>((ok) => pulumi.output(outputs as any).apply(ok));
    const secretOutputNames = ["kubeconfigs", "remoteSecrets", ...(plain.caBundles ? ["caBundles"] : [])];
    return { outputs: JSON.parse(JSON.stringify(plain)), secretOutputNames };
}

/**
 * Runs the program for one stack of a split mesh, with what the other stacks (by fully
 * qualified name) have published so far; returns what it registered and what it publishes.
 */
export async function runStack(
    config: Record<string, unknown>,
    options: { stack?: string; published?: Record<string, PublishedStack> } = {},
) {
    const rec = startMockEngine(config, { stack: options.stack, secretKeys: ["kubeconfigs"], publishedStacks: options.published ?? {} });
    const outputs = await buildMesh();
    await settle();
    return { rec, outputs, published: await publish(outputs) };
}
