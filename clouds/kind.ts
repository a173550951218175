/** kind: local clusters on this machine's Docker, with MetalLB for their load balancers. */
import { z } from "zod";
import { KindCluster } from "../components/clusters/kind";
import { commandResources } from "../tools/synthetic/outputs/command";
import { anyCloud, CloudModule, configuredAddressKeys } from "./cloud";

const variant = z.strictObject({
    ...anyCloud,
    cloud: z.literal("kind"),
    ...configuredAddressKeys,
    nodeImage: z
        .string()
        .regex(/^[a-z0-9][a-z0-9./_-]*:v\d+\.\d+\.\d+(@sha256:[0-9a-f]{64})?$/)
        .optional(),
});

export const kindCloud: CloudModule<typeof variant> = {
    name: "kind",
    title: "kind",
    variant,
    keyDocs: {
        nodeImage: {
            doc: "node image such as `kindest/node:v1.34.0`; its tag is the Kubernetes version (1.33+ on a remote)",
            defaultText: "kind's default",
            expected: "a kind node image such as kindest/node:v1.34.0",
        },
    },
    // A kind cluster's Kubernetes version is its node image's tag.
    resolve: (c) => ({ kubernetesVersion: (c.nodeImage && /:v(\d+\.\d+)\.\d+/.exec(c.nodeImage)?.[1]) || undefined }),
    // kind names the node container <name>-control-plane and refuses names it cannot use as a hostname.
    derivedNames: [{ what: "kind's node container (<name>-control-plane)", name: (n) => `${n}-control-plane`, max: 63 }],
    inCloud: false,
    clusterFactory: () => (c, common) =>
        new KindCluster(c.name, {
            role: common.role,
            network: common.network,
            nodeImage: c.nodeImage,
            loadBalancerAddresses: common.configuredAddresses,
        }),
    rules: {
        // MetalLB announces exactly the configured addresses: there is nothing to allocate.
        addresses(c, at, { kubernetesMinors }) {
            const problems: string[] = [];
            const warnings: string[] = [];
            if (c.eastWestAddress === undefined) {
                problems.push(
                    `${at}.eastWestAddress: required for cloud "kind" (a free IPv4 on kind's Docker network, see: docker network inspect kind)`,
                );
            }
            if (c.ingress && c.ingressAddress === undefined) {
                problems.push(`${at}.ingressAddress: required for cloud "kind" with ingress on (a free IPv4 on kind's Docker network)`);
            }
            if (c.nodeImage === undefined && c.role === "remote") {
                warnings.push(
                    `${at}.nodeImage: not set, so kind's default node image decides the Kubernetes version; a remote needs 1.${kubernetesMinors.remoteMin} or newer (e.g. kindest/node:v1.34.0)`,
                );
            }
            return { problems, warnings };
        },
        versionKey: "nodeImage",
        // kind API servers and MetalLB addresses live on this machine's Docker network: clouds cannot reach them.
        neighbours: (own, { inCloud }) => ({
            problems:
                inCloud.length === 0
                    ? []
                    : own.map(
                          ({ at }) =>
                              `${at}.cloud: "kind" clusters mesh only with kind or existing clusters on the same Docker network (this stack also has ${inCloud.join(", ")})`,
                      ),
        }),
    },
    plan: { eastWestAddressKind: "MetalLB address set as eastWestAddress", allocatesAddresses: false },
    durations: [
        {
            what: "kind cluster (kind create cluster --wait)",
            matches: (r) => r.type === "command:local:Command" && /^kind create cluster/.test(String(r.inputs.create ?? "")),
            seconds: 90,
            range: "1-3 min",
            source: "estimate",
        },
    ],
    // What the kind CLI prints, as local commands.
    synthetic: { resources: commandResources },
};
