# syntax=docker/dockerfile:1
#
# Hypersphere images (docs/deployment.md). Targets, tagged <version>-<target> as the Helm chart expects:
#   gpu      (default) the service on CUDA 13 + cuDNN 9, Ubuntu 24.04: docker build -t hypersphere:0.1.0-gpu .
#   cpu      the service on the ASP.NET Core 10 runtime image:         docker build --target cpu -t hypersphere:0.1.0-cpu .
#   trainer  the `hypersphere` CLI with libtorch (CPU), Ubuntu 24.04:   docker build --target trainer -t hypersphere:0.1.0-trainer .
#   trainer-gpu  the CLI with libtorch for CUDA 12.8 + cuDNN 9:         docker build --target trainer-gpu -t hypersphere:0.1.0-trainer-gpu .
#
# The SDK stages below are replayed by tests/Hypersphere.Deployment.Tests (PublishTests): their COPY, WORKDIR and
# RUN lines run there as written (with /out/ in a temp folder), so keep them plain commands.

# Ubuntu 24.04 (noble) images throughout: .NET 10's default tags are noble; naming it keeps the GLIBCXX reasoning
# of the trainer stage true if the default ever changes.
ARG DOTNET_TAG=10.0-noble
# ONNX Runtime GPU 1.31 loads its CUDA provider only with CUDA 13 and cuDNN 9; the host needs an R580+ driver
# (docs/deployment.md, "What the gpu image needs from the host").
ARG CUDA_IMAGE=nvidia/cuda:13.0.2-cudnn-runtime-ubuntu24.04
# libtorch 2.10 for CUDA 12.8 (the trainer-gpu target) is built against CUDA 12.8 and cuDNN 9; the host needs an R570+ driver.
ARG CUDA_TRAINER_IMAGE=nvidia/cuda:12.8.1-cudnn-runtime-ubuntu24.04

# ---- build: restore inputs only, so a source change does not re-download packages ------------------------------
FROM mcr.microsoft.com/dotnet/sdk:${DOTNET_TAG} AS build
ENV DOTNET_CLI_TELEMETRY_OPTOUT=1 \
    DOTNET_NOLOGO=1
WORKDIR /src
# Central package versions (Directory.Packages.props), the SDK pin and the build rules every project imports
# (Directory.Build.targets imports the TorchSharp GLIBCXX targets, so restore needs that file too).
COPY global.json Directory.Build.props Directory.Build.targets Directory.Packages.props ./
COPY src/Hypersphere.Training/TorchSharpGlibcxx.targets src/Hypersphere.Training/
COPY src/Hypersphere.Core/Hypersphere.Core.csproj src/Hypersphere.Core/
COPY src/Hypersphere.Inference/Hypersphere.Inference.csproj src/Hypersphere.Inference/
COPY src/Hypersphere.Reports/Hypersphere.Reports.csproj src/Hypersphere.Reports/
COPY src/Hypersphere.Service/Hypersphere.Service.csproj src/Hypersphere.Service/
COPY src/Hypersphere.Training/Hypersphere.Training.csproj src/Hypersphere.Training/
COPY src/Hypersphere.Cli/Hypersphere.Cli.csproj src/Hypersphere.Cli/

# ---- the service: Core + Inference + Reports + ASP.NET Core, never TorchSharp ----------------------------------
# The page at / (src/Hypersphere.Service/wwwroot) is content of the project, so publish copies it to /out/service/wwwroot.
FROM build AS publish-service
RUN dotnet restore src/Hypersphere.Service -r linux-x64
COPY src/ src/
# ONNX Runtime comes from Microsoft.ML.OnnxRuntime.Gpu.Linux (Linux natives only), so no Windows DLL reaches the output.
RUN dotnet publish src/Hypersphere.Service -c Release -r linux-x64 --self-contained false -o /out/service

# The CPU image never loads the CUDA or TensorRT providers (its ExecutionProvider is cpu): drop their ~285 MB.
FROM publish-service AS publish-service-cpu
RUN rm -f /out/service/libonnxruntime_providers_cuda.so /out/service/libonnxruntime_providers_tensorrt.so

# The shipped models (models/<name>/<version>/); an empty folder when the checkout has none.
FROM build AS shipped-models
COPY . /context/
RUN mkdir -p /context/models

# ---- the CLI for training, evaluation and export --------------------------------------------------------------
FROM build AS publish-trainer
RUN dotnet restore src/Hypersphere.Cli -r linux-x64
COPY src/ src/
# No -p:TorchSharpGlibcxxPatch=never: the patch (README, platform notes) runs only where the build host's
# libstdc++ lacks GLIBCXX_3.4.32 (GCC 13), and this stage's Ubuntu 24.04 libstdc++ (GCC 13 or newer) has it, so the
# default "auto" leaves libLibTorchSharp.so untouched, exactly what the Ubuntu 24.04 trainer image below needs.
# ONNX Runtime (export verification) runs on the CPU here, like libtorch: its CUDA/TensorRT providers are dead weight.
RUN dotnet publish src/Hypersphere.Cli -c Release -r linux-x64 --self-contained false -o /out/trainer \
    && rm -f /out/trainer/libonnxruntime_providers_cuda.so /out/trainer/libonnxruntime_providers_tensorrt.so

# ---- the CLI with libtorch for CUDA 12.8: -p:TorchFlavour=cuda swaps libtorch-cpu-linux-x64 for
# libtorch-cuda-12.8-linux-x64 (src/Hypersphere.Training), restored only here (several GB), never by the other targets.
# The GLIBCXX patch is the same as for the CPU flavour (the file it patches is TorchSharp's, not libtorch's) and a no-op here.
FROM build AS publish-trainer-gpu
RUN dotnet restore src/Hypersphere.Cli -r linux-x64 -p:TorchFlavour=cuda
COPY src/ src/
RUN dotnet publish src/Hypersphere.Cli -c Release -r linux-x64 --self-contained false -p:TorchFlavour=cuda -o /out/trainer \
    && rm -f /out/trainer/libonnxruntime_providers_cuda.so /out/trainer/libonnxruntime_providers_tensorrt.so

# ---- trainer: Ubuntu 24.04 + the .NET 10 runtime + the CLI (libtorch CPU from the NuGet package) ---------------
FROM mcr.microsoft.com/dotnet/runtime:${DOTNET_TAG} AS trainer
# fonts-dejavu-core: `hypersphere report` draws its figures' text with it (the image has no font at all).
RUN apt-get update \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY --from=publish-trainer /out/trainer/ /app/
# Runs, checkpoints and exports go to /workspace (mount a volume); Fashion-MNIST is read from the default folder
# /usr/share/datasets/fashion-mnist (mount it) or any --data-dir.
RUN mkdir -p /workspace && chown 1654:1654 /workspace
WORKDIR /workspace
# 1654 is the .NET images' non-root "app" user ($APP_UID), numeric so Kubernetes can check runAsNonRoot.
USER 1654
ENTRYPOINT ["dotnet", "/app/hypersphere.dll"]
CMD ["--help"]

# ---- trainer-gpu: the CLI (libtorch CUDA 12.8) on NVIDIA's CUDA 12.8 + cuDNN 9 runtime, Ubuntu 24.04 ----------------
# The .NET runtime is copied from the image the trainer target runs on (Microsoft publishes no .NET packages for 24.04).
FROM mcr.microsoft.com/dotnet/runtime:${DOTNET_TAG} AS dotnet-runtime

FROM ${CUDA_TRAINER_IMAGE} AS trainer-gpu
# .NET's own dependencies (as in the gpu stage) and fonts-dejavu-core for `hypersphere report`; the app user as there.
RUN apt-get update \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
        ca-certificates fonts-dejavu-core libc6 libgcc-s1 libssl3t64 libstdc++6 tzdata zlib1g \
    && rm -rf /var/lib/apt/lists/* \
    && groupadd --gid 1654 app \
    && useradd --uid 1654 --gid 1654 --no-create-home --home-dir /app --shell /usr/sbin/nologin app
COPY --from=dotnet-runtime /usr/share/dotnet /usr/share/dotnet
RUN ln -s /usr/share/dotnet/dotnet /usr/bin/dotnet
WORKDIR /app
COPY --from=publish-trainer-gpu /out/trainer/ /app/
RUN mkdir -p /workspace && chown 1654:1654 /workspace
WORKDIR /workspace
# Train with --device cuda; the container needs a GPU (docker run --gpus all, or trainer.gpu.count in the chart).
ENV DOTNET_RUNNING_IN_CONTAINER=true
USER 1654
ENTRYPOINT ["dotnet", "/app/hypersphere.dll"]
CMD ["--help"]

# ---- cpu: the service on the ASP.NET Core 10 runtime ----------------------------------------------------------
FROM mcr.microsoft.com/dotnet/aspnet:${DOTNET_TAG} AS cpu
# curl for HEALTHCHECK: the aspnet image has neither curl nor wget, the service has no probe command of its own,
# and a bash /dev/tcp probe could not check the HTTP status. Kubernetes probes over HTTP and does not use it.
# fonts-dejavu-core: the report's figures measure and draw their text with it (the image has no font at all).
RUN apt-get update \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends curl fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY --from=publish-service-cpu /out/service/ /app/
COPY --from=shipped-models /context/models/ /app/models/
# ASPNETCORE_HTTP_PORTS (set by the base image) is cleared so Kestrel does not warn that URLS overrides it.
# MALLOC_ARENA_MAX=2: image decoding and ONNX Runtime allocate natively on many threads, and glibc's default of
# one arena per thread let RSS creep from 150 to 660 MiB under repeated hostile input; with two it stays near
# 330 MiB (docs/performance.md). The managed heap is capped at 75 % of the container's memory limit.
ENV ASPNETCORE_URLS=http://+:8080 \
    ASPNETCORE_HTTP_PORTS= \
    MALLOC_ARENA_MAX=2 \
    DOTNET_GCHeapHardLimitPercent=0x4B \
    Hypersphere__ModelsPath=/app/models \
    Hypersphere__ExecutionProvider=cpu
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD curl -fsS -o /dev/null http://127.0.0.1:8080/healthz/live || exit 1
USER 1654
ENTRYPOINT ["dotnet", "/app/Hypersphere.Service.dll"]

# ---- gpu (default, last): the service on CUDA 13 + cuDNN 9, Ubuntu 24.04, with the ASP.NET Core 10 runtime ----
# The ASP.NET Core runtime is copied from Microsoft's image: Microsoft publishes no .NET packages for Ubuntu 24.04,
# and the copy is the same runtime the cpu image runs.
FROM mcr.microsoft.com/dotnet/aspnet:${DOTNET_TAG} AS aspnet-runtime

FROM ${CUDA_IMAGE} AS gpu
# .NET's own dependencies on Ubuntu 24.04 (as in the runtime-deps image) minus ICU (the build sets
# InvariantGlobalization), plus curl for HEALTHCHECK and fonts-dejavu-core for the report's figures.
RUN apt-get update \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
        ca-certificates curl fonts-dejavu-core libc6 libgcc-s1 libssl3t64 libstdc++6 tzdata zlib1g \
    && rm -rf /var/lib/apt/lists/* \
    && groupadd --gid 1654 app \
    && useradd --uid 1654 --gid 1654 --no-create-home --home-dir /app --shell /usr/sbin/nologin app
COPY --from=aspnet-runtime /usr/share/dotnet /usr/share/dotnet
RUN ln -s /usr/share/dotnet/dotnet /usr/bin/dotnet
WORKDIR /app
COPY --from=publish-service /out/service/ /app/
COPY --from=shipped-models /context/models/ /app/models/
# auto: CUDA when the container has a GPU (docker run --gpus, or the nvidia.com/gpu resource), else CPU with the
# reason logged; set Hypersphere__ExecutionProvider=cuda to refuse to serve without one.
# MALLOC_ARENA_MAX and the heap limit as in the cpu image (docs/performance.md).
ENV DOTNET_RUNNING_IN_CONTAINER=true \
    ASPNETCORE_URLS=http://+:8080 \
    MALLOC_ARENA_MAX=2 \
    DOTNET_GCHeapHardLimitPercent=0x4B \
    Hypersphere__ModelsPath=/app/models \
    Hypersphere__ExecutionProvider=auto
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD curl -fsS -o /dev/null http://127.0.0.1:8080/healthz/live || exit 1
USER 1654
ENTRYPOINT ["dotnet", "/app/Hypersphere.Service.dll"]
