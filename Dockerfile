# The navette engine's container image: what the Helm chart (helm/navette)
# runs. docs/deployment.md, "The image", gives the commands and the size.
#
#   docker build -t navette:0.1.0 .
#
# Two stages: the first builds the `navette` binary alone on Debian 12; the
# second is debian:12-slim with the binary, the CDA schemas it validates
# documents against, and the shared libraries it links, nothing else from
# the build.

# --- Stage 1: build ----------------------------------------------------------
FROM debian:12 AS build

# The build dependencies of scripts/install-deps.sh, without what only the
# tests, benchmarks and fuzzers need there (GoogleTest, clang, promtool, the
# real Postfix, Dovecot and Prometheus servers, a JRE for the schematrons,
# poppler): about a gigabyte the image build has no use for. Keep the two
# lists in step; CTest's helm_dockerfile_deps checks that every -dev package
# of install-deps.sh is here.
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      build-essential cmake ninja-build pkg-config ca-certificates \
      libzmq3-dev cppzmq-dev \
      libprotobuf-dev protobuf-compiler \
      librocksdb-dev \
      libssl-dev \
      libcurl4-openssl-dev \
      prometheus-cpp-dev \
      libyaml-cpp-dev libre2-dev libcli11-dev libspdlog-dev libabsl-dev \
      libasio-dev libcpp-httplib-dev nlohmann-json3-dev \
      libxml2-dev libpango1.0-dev libcairo2-dev \
      libxmlsec1-dev \
      libgmime-3.0-dev libzip-dev \
 && rm -rf /var/lib/apt/lists/*

# The sources go where the schemas will be at run time: the engine finds
# CDA_extended.xsd in ${PROJECT_SOURCE_DIR}/schemas/cda, a path compiled
# into the binary (routes/cda/cda_schema.cc, NAVETTE_SCHEMA_DIR), so the
# source tree's path is the image's.
WORKDIR /usr/share/navette
COPY . .

# Only the binary: no tests, no benchmarks. Release at -O2 (as
# `scripts/test --release`, scripts/run and the benchmarks build it; -O3 has
# not been tried), no debug information, stripped when copied out.
RUN cmake -S . -B /build -G Ninja \
      -DCMAKE_BUILD_TYPE=Release \
      -DCMAKE_CXX_FLAGS_RELEASE="-O2 -DNDEBUG" \
      -DNAVETTE_BUILD_TESTS=OFF \
      -DNAVETTE_BUILD_BENCH=OFF \
 && cmake --build /build --target navette -j "$(nproc)" \
 && install -D -s -m 0755 /build/bin/navette /out/navette

# --- Stage 2: run ------------------------------------------------------------
FROM debian:12-slim

# The Debian packages (not -dev) of the shared libraries `navette` links:
# `ldd build/bin/navette`, each library through `dpkg -S`, reduced to the
# packages that pull the others in. libgpgme11 (GMime's) wants gnupg or gpg:
# naming gpg keeps the whole of gnupg out. CTest's helm_dockerfile_deps
# checks this list against `ldd` of the binary the tests run. Run time only:
#   fonts-dejavu-core, fontconfig  letters are rendered to PDF in DejaVu Sans
#                                  (fontconfig builds its cache here, the root
#                                  filesystem being read-only under the chart)
#   ca-certificates                the system's CAs, the default for HTTPS
#                                  destinations without tls.ca_file
#   tzdata                         local time for the CLI's --since dates
# `apt-get clean`: Docker's debian images drop the downloaded packages by
# themselves (their apt.conf.d/docker-clean), other bases do not: 115 MB of
# .deb files and apt caches in an image built on a plain debootstrap.
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      libzmq5 libprotobuf32 librocksdb7.8 libssl3 libcurl4 \
      libprometheus-cpp-core1.0 libyaml-cpp0.7 libre2-9 libspdlog1.10 libfmt9 \
      libabsl20220623 libcpp-httplib0.11 \
      libxml2 libpango-1.0-0 libpangocairo-1.0-0 libcairo2 \
      libxmlsec1 libxmlsec1-openssl \
      libgmime-3.0-0 gpg libzip4 \
      fonts-dejavu-core fontconfig ca-certificates tzdata \
 && apt-get clean \
 && rm -rf /var/lib/apt/lists/*

# A numeric, unprivileged user (the chart's runAsUser), and the directories
# the engine uses: its working directory and data volume, its configuration.
RUN groupadd --system --gid 10001 navette \
 && useradd --system --uid 10001 --gid 10001 --home-dir /var/lib/navette \
      --no-create-home --shell /usr/sbin/nologin navette \
 && mkdir -p /var/lib/navette /etc/navette \
 && chown 10001:10001 /var/lib/navette \
 && chmod 0750 /var/lib/navette

COPY --from=build /out/navette /usr/local/bin/navette
COPY --from=build /usr/share/navette/schemas/cda /usr/share/navette/schemas/cda

# Fails the build if a library is missing from the list above.
RUN ! ldd /usr/local/bin/navette | grep 'not found' \
 && /usr/local/bin/navette --version

USER 10001:10001
WORKDIR /var/lib/navette
# MLLP (the default source's port) and the admin API.
EXPOSE 2575 8575
ENTRYPOINT ["/usr/local/bin/navette"]
# The chart passes its own arguments; this is `docker run` with a
# configuration mounted at /etc/navette/navette.yaml and a volume at
# /var/lib/navette.
CMD ["serve", "--config", "/etc/navette/navette.yaml", "--data-dir", "/var/lib/navette/navette-data"]
