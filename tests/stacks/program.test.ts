import { ConfigError } from "../../stacks/config";
import { buildMesh } from "../../stacks/mesh";
import { settle, startMockEngine } from "../harness";
import { runMesh } from "./fixtures";

describe("the program as `pulumi up` runs it", () => {
    it("registers nothing when the config is invalid, and reports every problem at once", async () => {
        const rec = startMockEngine({
            clusters: [
                { name: "alpha", cloud: "aws", region: "us-west-2", nodeSize: "t3.medium" },
                { name: "beta", cloud: "azure", region: "eastus", role: "remote", primary: "gamma" },
            ],
        });
        const error: ConfigError = await buildMesh().then(
            () => {
                throw new Error("expected a ConfigError");
            },
            (e) => e,
        );
        await settle();
        expect(error).toBeInstanceOf(ConfigError);
        expect(error.problems).toEqual([
            `clusters[0].nodeSize: "t3.medium" (2 vCPU, 4 GiB) is too small for a primary: istiod alone requests 500m CPU and 2Gi (use at least 2 vCPU and 8 GiB, e.g. m5.large)`,
            `clusters[1].primary: "gamma" is not a cluster in this stack or its peers (primaries: alpha)`,
        ]);
        expect(rec.all).toEqual([]);
    });

    it("grants EKS admin access to the configured principals except the identity that deploys", async () => {
        const ci = "arn:aws:iam::123456789012:role/ci";
        // The mock caller is the assumed role `deployer`; EKS already makes it admin.
        const deployer = "arn:aws:iam::123456789012:role/deployer";
        const { rec } = await runMesh({
            clusters: [
                { name: "west", cloud: "aws", region: "us-west-2" },
                { name: "east", cloud: "aws", region: "us-east-1" },
            ],
            adminPrincipals: { aws: [ci, deployer] },
        });
        for (const cluster of rec.ofType("eks:index:Cluster")) {
            const entries = Object.values(cluster.inputs.accessEntries as Record<string, { principalArn: string }>);
            expect(entries.map((e) => e.principalArn)).toEqual([ci]);
        }
        expect(rec.ofType("eks:index:Cluster")).toHaveLength(2);
    });

    it("gives each region its own AWS provider and each cloud resource an explicit one", async () => {
        const { rec } = await runMesh({
            clusters: [
                { name: "west", cloud: "aws", region: "us-west-2" },
                { name: "east", cloud: "aws", region: "us-east-1", role: "remote", primary: "west" },
            ],
        });
        const regions = rec.ofType("pulumi:providers:aws").map((p) => p.inputs.region).sort();
        expect(regions).toEqual(["us-east-1", "us-west-2"]);
        const vpcs = rec.ofType("aws:ec2/vpc:Vpc");
        expect(vpcs.map((v) => rec.providerOf(v)?.inputs.region).sort()).toEqual(["us-east-1", "us-west-2"]);
    });
});
