import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { istioNamespace } from "./chart";
import { istiodServiceName } from "./revisions";

/** Everything one cluster's revision-tag webhook needs. */
export interface RevisionTagArgs {
    /** Tag name (`default`: also `istio-injection=enabled` and `sidecar.istio.io/inject` pods). */
    tag: string;
    /** The revision the tag points at (its istiod Service `istiod-<rev>` is called). */
    revision: string;
    /**
     * Injection path of the cluster: `/inject` on a primary, `/inject/cluster/<c>/net/<n>` on a
     * remote (its primary's istiod takes the cluster's identity from it).
     */
    injectionPath: string;
    /** Kubernetes provider of the cluster. */
    provider: k8s.Provider;
    /** What must be up first: the target revision in every cluster of the mesh. */
    revisionReady: pulumi.Resource[];
}

type Selector = { key: string; operator: "In" | "NotIn" | "DoesNotExist"; values?: string[] }[];

/**
 * The webhooks of a tag as Istio's `revision-tags-mwc.yaml` (istiod chart, 1.30 and 1.31)
 * renders them: `rev.namespace.`/`rev.object.` for `istio.io/rev=<tag>`, and for the `default`
 * tag also `namespace.`/`object.` (istio-injection=enabled, sidecar.istio.io/inject=true).
 * No caBundle: istiod's webhook controller patches it.
 */
export function revisionTagWebhooks(tag: string, revision: string, injectionPath: string) {
    const core = (prefix: string, namespaceSelector: Selector, objectSelector: Selector) => ({
        name: `${prefix}sidecar-injector.istio.io`,
        clientConfig: { service: { name: istiodServiceName(revision), namespace: istioNamespace, path: injectionPath, port: 443 } },
        sideEffects: "None",
        rules: [{ operations: ["CREATE"], apiGroups: [""], apiVersions: ["v1"], resources: ["pods"] }],
        failurePolicy: "Fail",
        reinvocationPolicy: "Never",
        admissionReviewVersions: ["v1"],
        namespaceSelector: { matchExpressions: namespaceSelector },
        objectSelector: { matchExpressions: objectSelector },
    });
    const notDisabled = { key: "sidecar.istio.io/inject", operator: "NotIn" as const, values: ["false"] };
    const webhooks = [
        core(
            "rev.namespace.",
            [
                { key: "istio.io/rev", operator: "In", values: [tag] },
                { key: "istio-injection", operator: "DoesNotExist" },
            ],
            [notDisabled],
        ),
        core(
            "rev.object.",
            [
                { key: "istio.io/rev", operator: "DoesNotExist" },
                { key: "istio-injection", operator: "DoesNotExist" },
            ],
            [notDisabled, { key: "istio.io/rev", operator: "In", values: [tag] }],
        ),
    ];
    if (tag === "default") {
        webhooks.push(
            core("namespace.", [{ key: "istio-injection", operator: "In", values: ["enabled"] }], [notDisabled]),
            core(
                "object.",
                [
                    { key: "istio-injection", operator: "DoesNotExist" },
                    { key: "istio.io/rev", operator: "DoesNotExist" },
                ],
                [
                    { key: "sidecar.istio.io/inject", operator: "In", values: ["true"] },
                    { key: "istio.io/rev", operator: "DoesNotExist" },
                ],
            ),
        );
    }
    return webhooks;
}

/**
 * A revision tag in one cluster: the MutatingWebhookConfiguration `istio-revision-tag-<tag>`
 * that sends the tag's pods to the target revision's istiod. The program owns it (not a Helm
 * release's `revisionTags`), so that moving the tag is an in-place update: moving it between
 * releases would fail on Helm's ownership or leave a moment without a default webhook.
 */
export class RevisionTag extends pulumi.ComponentResource {
    public readonly webhook: k8s.admissionregistration.v1.MutatingWebhookConfiguration;

    constructor(name: string, args: RevisionTagArgs, opts?: pulumi.ComponentResourceOptions) {
        super("istio-multicloud:mesh:RevisionTag", name, {}, opts);
        this.webhook = new k8s.admissionregistration.v1.MutatingWebhookConfiguration(
            `${name}-webhook`,
            {
                metadata: {
                    name: `istio-revision-tag-${args.tag}`,
                    labels: {
                        // istiod's webhook controller patches the caBundle of the webhooks labelled with its
                        // revision (`default` for the unrevisioned one); istiod reads the tag from istio.io/tag.
                        "istio.io/tag": args.tag,
                        "istio.io/rev": args.revision,
                        app: "sidecar-injector",
                        "app.kubernetes.io/name": "istiod",
                        "operator.istio.io/component": "Pilot",
                        "app.kubernetes.io/part-of": "istio",
                        "app.kubernetes.io/managed-by": "pulumi",
                    },
                },
                webhooks: revisionTagWebhooks(args.tag, args.revision, args.injectionPath),
            },
            {
                parent: this,
                provider: args.provider,
                dependsOn: args.revisionReady,
                // istiod writes caBundle (server-side apply leaves it to istiod's field manager, as the
                // program never sends it); a refresh must not turn it into a diff.
                ignoreChanges: ["webhooks[*].clientConfig.caBundle"],
            },
        );
        this.registerOutputs({});
    }
}
