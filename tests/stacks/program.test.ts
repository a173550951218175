import * as pulumi from "@pulumi/pulumi";
import { ConfigError } from "../../stacks/config";
import { buildMesh } from "../../stacks/mesh";
import { cloudMocks } from "../../tools/synthetic/outputs";
import { settle, startMockEngine } from "../harness";
import { runMesh } from "./fixtures";

const account = "123456789012";
const roleArn = (role: string) => `arn:aws:iam::${account}:role/${role}`;

/**
 * The synthetic cloud as seen by another runner: the caller is a session of role `runner`, and
 * the state already records `creator` as the principal that created each EKS cluster (unset: a
 * first deployment, whose record is the caller).
 */
function runAs(runner: string, creator?: string): pulumi.runtime.Mocks {
    return {
        newResource(args) {
            const answer = cloudMocks.newResource(args) as { id: string; state: Record<string, unknown> };
            if (args.type === "pulumi:index:Stash" && creator) return { ...answer, state: { ...answer.state, output: creator } };
            return answer;
        },
        call(args) {
            const arn = `arn:aws:sts::${account}:assumed-role/${runner}/session-1`;
            if (args.token === "aws:index/getCallerIdentity:getCallerIdentity") {
                return { id: account, accountId: account, arn, userId: `AROAEXAMPLE:${runner}` };
            }
            if (args.token === "aws:iam/getSessionContext:getSessionContext") {
                return { id: arn, arn, issuerArn: roleArn(runner), issuerId: "", issuerName: runner, sessionName: "session-1" };
            }
            return cloudMocks.call(args);
        },
    };
}

/** Principal ARNs of the access entries each EKS cluster declares, by cluster. */
async function declaredAdmins(config: Record<string, unknown>, mocks: pulumi.runtime.Mocks, warnings: string[] = []) {
    const warn = jest.spyOn(pulumi.log, "warn").mockImplementation(async (message: string) => {
        warnings.push(message);
    });
    try {
        const rec = startMockEngine(config, { mocks });
        await buildMesh();
        await settle();
        return Object.fromEntries(
            rec
                .ofType("eks:index:Cluster")
                .map((c) => [
                    c.name,
                    Object.values(c.inputs.accessEntries as Record<string, { principalArn: string }>).map((e) => e.principalArn),
                ]),
        );
    } finally {
        warn.mockRestore();
    }
}

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

    it("grants EKS admin access to the configured principals except the cluster's creator (on a first deployment, the identity that deploys)", async () => {
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

    describe("EKS access entries do not depend on who runs the program", () => {
        const laptop = roleArn("laptop-admin");
        const ci = roleArn("ci");
        const twoClusters = (extra: Record<string, unknown> = {}) => ({
            clusters: [
                { name: "west", cloud: "aws", region: "us-west-2", ...extra },
                { name: "east", cloud: "aws", region: "us-east-1", role: "remote", primary: "west" },
            ],
            adminPrincipals: { aws: [ci, laptop] },
        });

        it("declares the same entries when CI runs after the laptop that created the clusters", async () => {
            const first = await declaredAdmins(twoClusters(), runAs("laptop-admin"));
            const later = await declaredAdmins(twoClusters(), runAs("ci", laptop));
            // CI keeps its own entry (dropping it locked CI out) and never declares the creator's.
            expect(first).toEqual({ west: [ci], east: [ci] });
            expect(later).toEqual(first);
        });

        it("declares the same entries when the laptop runs after CI created the clusters", async () => {
            const first = await declaredAdmins(twoClusters(), runAs("ci"));
            const later = await declaredAdmins(twoClusters(), runAs("laptop-admin", ci));
            // A second entry for the creator CI would fail with ResourceInUseException.
            expect(first).toEqual({ west: [laptop], east: [laptop] });
            expect(later).toEqual(first);
        });

        it("records the creator once, in state, per EKS cluster", async () => {
            const rec = startMockEngine(twoClusters(), { mocks: runAs("laptop-admin") });
            await buildMesh();
            await settle();
            const records = rec.ofType("pulumi:index:Stash");
            expect(records.map((r) => [r.name, r.inputs.input]).sort()).toEqual([
                ["east-eks-creator", laptop],
                ["west-eks-creator", laptop],
            ]);
        });

        it("takes the creator from creatorArn over the record, for clusters created before it existed", async () => {
            const admins = await declaredAdmins(twoClusters({ creatorArn: laptop }), runAs("ci", ci));
            expect(admins).toEqual({ west: [ci], east: [laptop] });
        });

        it("warns when the runner is neither the creator nor a listed admin", async () => {
            const warnings: string[] = [];
            await declaredAdmins(twoClusters(), runAs("intern", laptop), warnings);
            expect(warnings.filter((w) => w.includes("intern"))).toEqual([
                `west: ${roleArn("intern")} runs this program but is neither the EKS cluster's creator (${laptop}) nor listed in adminPrincipals.aws: it cannot reach the cluster's API (add it to adminPrincipals.aws and run pulumi up as an identity that can)`,
                `east: ${roleArn("intern")} runs this program but is neither the EKS cluster's creator (${laptop}) nor listed in adminPrincipals.aws: it cannot reach the cluster's API (add it to adminPrincipals.aws and run pulumi up as an identity that can)`,
            ]);
            const quiet: string[] = [];
            await declaredAdmins(twoClusters(), runAs("ci", laptop), quiet);
            expect(quiet.filter((w) => w.includes("runs this program"))).toEqual([]);
        });
    });

    it("gives each region its own AWS provider and each cloud resource an explicit one", async () => {
        const { rec } = await runMesh({
            clusters: [
                { name: "west", cloud: "aws", region: "us-west-2" },
                { name: "east", cloud: "aws", region: "us-east-1", role: "remote", primary: "west" },
            ],
        });
        const regions = rec
            .ofType("pulumi:providers:aws")
            .map((p) => p.inputs.region)
            .sort();
        expect(regions).toEqual(["us-east-1", "us-west-2"]);
        const vpcs = rec.ofType("aws:ec2/vpc:Vpc");
        expect(vpcs.map((v) => rec.providerOf(v)?.inputs.region).sort()).toEqual(["us-east-1", "us-west-2"]);
    });
});
