#!/usr/bin/env bash
# Writes src/catalog/eni-limits.data.json: per EC2 instance type, the network interfaces of its default network
# card and the IPv4 addresses per interface, from aws/karpenter-provider-aws's generated VPC limits
# (pkg/providers/instancetype/zz_generated.vpclimits.go, Apache-2.0). The `default_enis` and
# `ips_per_eni` of an EC2NodeClass's kubelet expressions (NodeClassCEL). Needs Go and python3.
set -euo pipefail
version=v1.15.2
cd "$(dirname "$0")/.."
dir=$(GOTOOLCHAIN="${GOTOOLCHAIN:-go1.27.3}" go mod download -json "github.com/aws/karpenter-provider-aws@$version" | sed -n 's/.*"Dir": "\(.*\)",/\1/p')
python3 - "$dir/pkg/providers/instancetype/zz_generated.vpclimits.go" "$version" > src/catalog/eni-limits.data.json <<'PY'
import json, re, sys
src = open(sys.argv[1]).read()
out = {}
for m in re.finditer(r'^\t"([^"]+)": \{(.*?)^\t\},', src, re.M | re.S):
    name, body = m.group(1), m.group(2)
    ips = int(re.search(r'IPv4PerInterface:\s+(\d+)', body).group(1))
    default = int(re.search(r'DefaultNetworkCardIndex:\s+(\d+)', body).group(1))
    cards = {int(i): int(n) for n, i in re.findall(r'MaximumNetworkInterfaces:\s+(\d+),\s+NetworkCardIndex:\s+(\d+)', body)}
    out[name] = [cards.get(default, int(re.search(r'Interface:\s+(\d+)', body).group(1))), ips]
print(json.dumps({
    "source": "aws/karpenter-provider-aws " + sys.argv[2] + " pkg/providers/instancetype/zz_generated.vpclimits.go (Apache-2.0): per instance type, [network interfaces of the default network card, IPv4 addresses per interface]",
    "limits": dict(sorted(out.items())),
}, separators=(',', ':')))
PY
echo "wrote src/catalog/eni-limits.data.json ($(wc -c < src/catalog/eni-limits.data.json) bytes)"
