# meterd: build with the Swift toolchain, run on the slim Swift runtime.
FROM swift:6.2-bookworm AS build
RUN apt-get update -qq && apt-get install -y -qq librdkafka-dev pkg-config && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY Package.swift ./
COPY Sources ./Sources
COPY Tests ./Tests
RUN swift build -c release --product meterd --static-swift-stdlib

FROM swift:6.2-bookworm-slim
RUN apt-get update -qq && apt-get install -y -qq librdkafka1 curl && rm -rf /var/lib/apt/lists/*
COPY --from=build /src/.build/release/meterd /usr/local/bin/meterd
COPY topics /usr/local/share/meterd/topics
# `meterd topics apply` and `meterd broker` find topics/ in the working directory.
WORKDIR /usr/local/share/meterd
COPY meterd.yaml /etc/meterd/meterd.yaml
EXPOSE 9464
ENTRYPOINT ["/usr/local/bin/meterd"]
CMD ["run", "-c", "/etc/meterd/meterd.yaml"]
