namespace Hypersphere.Deployment.Tests.Helm;

/// <summary>Value overlays the chart is rendered with (like <c>helm template -f</c>).</summary>
public static class Scenarios
{
    public const string Gpu = """
        gpu:
          enabled: true
        """;

    /// <summary>Every optional object on, with keys, a models claim and user additions to merge with the GPU ones.</summary>
    public const string Everything = """
        gpu:
          enabled: true
          runtimeClassName: nvidia
          nodeSelector:
            nvidia.com/gpu.present: "true"
        auth:
          apiKeys: [key-one, key-two]
          adminKeys: [admin-key]
        models:
          source: pvc
        autoscaling:
          enabled: true
          queueDepth:
            enabled: true
        metrics:
          serviceMonitor:
            enabled: true
            labels:
              release: kube-prometheus-stack
          prometheusRule:
            enabled: true
          grafanaDashboard:
            enabled: true
        networkPolicy:
          enabled: true
          from:
            - namespaceSelector:
                matchLabels:
                  kubernetes.io/metadata.name: gateway
        trainer:
          enabled: true
          data:
            existingClaim: datasets
        audit:
          enabled: true
          claim: audit-data
        nodeSelector:
          pool: inference
        tolerations:
          - key: dedicated
            operator: Equal
            value: ml
            effect: NoSchedule
        extraEnv:
          - name: DOTNET_gcServer
            value: "1"
        podAnnotations:
          team: vision
        imagePullSecrets:
          - name: regcred
        """;
}
