import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";

/** Where Istio's Helm charts come from. */
export interface IstioCharts {
    /** Chart repository: an https:// Helm repo or an oci:// registry path (mirrors work too). */
    repository: string;
    /** Chart version, equal to the Istio version. */
    version: string;
}

/** Helm values, nested as in a chart's values.yaml. */
export type HelmValues = Record<string, any>;

/** Namespace of Istio's control plane and east-west gateway. */
export const istioNamespace = "istio-system";

/** Fields of a `helm.v3.Release` that name one Istio chart in a repository or OCI registry. */
export function istioChart(
    charts: IstioCharts,
    chart: "base" | "istiod" | "gateway",
): Pick<k8s.helm.v3.ReleaseArgs, "chart" | "version" | "repositoryOpts"> {
    if (charts.repository.startsWith("oci://")) {
        return { chart: `${charts.repository.replace(/\/$/, "")}/${chart}`, version: charts.version };
    }
    return { chart, version: charts.version, repositoryOpts: { repo: charts.repository } };
}

/**
 * Release options every Istio chart shares: an explicit release name (the gateway chart
 * derives its labels from it, and an auto-generated name would change them), no namespace
 * creation (the program owns istio-system and its labels), and the Release's own timeout,
 * which governs both its install and its uninstall waits (`customTimeouts` do not reach it).
 */
export function releaseBasics(name: string, namespace: pulumi.Input<string>, timeoutSeconds: number) {
    return {
        name,
        namespace,
        createNamespace: false,
        timeout: timeoutSeconds,
        // A failed upgrade removes what it created instead of leaving orphans for the next run.
        cleanupOnFail: true,
        maxHistory: 10,
    } satisfies Partial<k8s.helm.v3.ReleaseArgs>;
}
