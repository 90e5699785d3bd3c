#!/usr/bin/env bash
# Installs the Debian 12 packages that navette's build and tests need.
# Idempotent and quick when everything is already there: apt is only called
# for packages that dpkg does not report as installed.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config git ca-certificates curl
  clang-format
  # libFuzzer targets (scripts/fuzz) need clang and its fuzzer runtime
  clang libclang-rt-dev
  libzmq3-dev cppzmq-dev
  libprotobuf-dev protobuf-compiler
  librocksdb-dev
  libssl-dev openssl
  libcurl4-openssl-dev
  prometheus-cpp-dev
  libgtest-dev libgmock-dev
  # promtool, for the e2e test that checks /metrics; Debian 12 ships it only
  # in the server package (on a systemd host that also enables prometheus.service).
  prometheus
  # The monitoring kit's checks (tests/monitoring/) read the rules in Python;
  # the Prometheus server itself runs in e2e_prometheus_test.
  python3-yaml
  # The Helm chart's checks (helm/CMakeLists.txt): yamllint on its plain
  # YAML; helm/tests/check_chart.py reads the templates with python3-yaml.
  yamllint
  libyaml-cpp-dev libre2-dev libcli11-dev libspdlog-dev libabsl-dev
  libasio-dev libcpp-httplib-dev nlohmann-json3-dev
  procps python3
  # CDA: libxml2 builds and validates documents; pango + cairo render letters
  # to PDF with the DejaVu fonts; the tests read PDFs back with poppler's
  # pdftotext/pdftoppm and run the ANS schematrons with Saxon HE (XSLT 2)
  # and the ISO Schematron XSLTs that python3-lxml ships.
  libxml2-dev libpango1.0-dev libcairo2-dev fonts-dejavu-core
  poppler-utils libsaxonhe-java default-jre-headless python3-lxml
  # DMP: the VIHF is an enveloped XML-DSig signature (xmlsec1 over OpenSSL)
  libxmlsec1-dev
  # MSSanté: GMime builds and parses mail, libzip the IHE XDM archive; the
  # tests run a real Postfix (SMTP, client certificates) and Dovecot (IMAP).
  libgmime-3.0-dev libzip-dev postfix dovecot-imapd
  # zone data: --since 2026-11-22 means midnight where the operator is
  tzdata
  # a FUSE file system (bindfs) for the test of the file destination's
  # per-file flushes where syncfs does not reach the disk
  bindfs
  # the web console's browser tests drive Debian's Chromium headless through
  # chromedriver (tests/support/webdriver.h)
  chromium chromium-driver
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

echo "install-deps: installing ${missing[*]}" >&2
sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then sudo_cmd=(sudo); fi
"${sudo_cmd[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
