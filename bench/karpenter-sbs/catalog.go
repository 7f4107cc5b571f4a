package main

// The instance catalog (data/ec2-instance-types.json) as Karpenter sees it: one
// cloudprovider.InstanceType per priced type, built the way the AWS provider builds them
// (pkg/providers/instancetype/types.go): Capacity = raw vCPU and memory less the VM overhead,
// Overhead = kube-reserved + eviction threshold, chosen so that Allocatable() equals the
// catalog's allocatable exactly; one available on-demand offering per zone at the listed price.

import (
	"encoding/json"
	"fmt"
	"math"
	"os"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"

	v1 "sigs.k8s.io/karpenter/pkg/apis/v1"
	"sigs.k8s.io/karpenter/pkg/cloudprovider"
	"sigs.k8s.io/karpenter/pkg/scheduling"
)

// Label keys the AWS provider registers as well known (karpenter-provider-aws pkg/apis/v1/labels.go).
const (
	labelCategory     = "karpenter.k8s.aws/instance-category"
	labelFamily       = "karpenter.k8s.aws/instance-family"
	labelGeneration   = "karpenter.k8s.aws/instance-generation"
	labelSize         = "karpenter.k8s.aws/instance-size"
	labelCPU          = "karpenter.k8s.aws/instance-cpu"
	labelMemory       = "karpenter.k8s.aws/instance-memory"
	labelHypervisor   = "karpenter.k8s.aws/instance-hypervisor"
	labelCPUMfr       = "karpenter.k8s.aws/instance-cpu-manufacturer"
	labelBandwidth    = "karpenter.k8s.aws/instance-network-bandwidth"
	labelLocalNVME    = "karpenter.k8s.aws/instance-local-nvme"
	labelGPUName      = "karpenter.k8s.aws/instance-gpu-name"
	labelGPUMfr       = "karpenter.k8s.aws/instance-gpu-manufacturer"
	labelGPUCount     = "karpenter.k8s.aws/instance-gpu-count"
	labelGPUMemory    = "karpenter.k8s.aws/instance-gpu-memory"
	resourceNvidiaGPU = corev1.ResourceName("nvidia.com/gpu")
	resourceNeuron    = corev1.ResourceName("aws.amazon.com/neuron")
)

func registerAWSLabels() {
	v1.WellKnownLabels.Insert(labelCategory, labelFamily, labelGeneration, labelSize, labelCPU, labelMemory,
		labelHypervisor, labelCPUMfr, labelBandwidth, labelLocalNVME, labelGPUName, labelGPUMfr, labelGPUCount, labelGPUMemory)
	v1.RestrictedLabelDomains.Insert("karpenter.k8s.aws")
	v1.WellKnownResources.Insert(resourceNvidiaGPU, resourceNeuron)
}

type catalogFile struct {
	Region        string     `json:"region"`
	InstanceTypes []typeFact `json:"instanceTypes"`
}

type typeFact struct {
	Name                 string   `json:"name"`
	Family               string   `json:"family"`
	Category             string   `json:"category"`
	Generation           int      `json:"generation"`
	Size                 string   `json:"size"`
	Arch                 string   `json:"arch"`
	OS                   string   `json:"os"`
	VCPU                 int64    `json:"vcpu"`
	MemoryMiB            int64    `json:"memoryMiB"`
	Hypervisor           *string  `json:"hypervisor"`
	CPUManufacturer      *string  `json:"cpuManufacturer"`
	NetworkBandwidthMbps *int64   `json:"networkBandwidthMbps"`
	LocalNvmeGiB         *int64   `json:"localNvmeGiB"`
	Price                *float64 `json:"onDemandPriceUSDPerHour"`
	GPU                  *struct {
		Name         string `json:"name"`
		Manufacturer string `json:"manufacturer"`
		Count        int64  `json:"count"`
		MemoryMiB    int64  `json:"memoryMiB"`
	} `json:"gpu"`
	Allocatable struct {
		CPUMillis           int64  `json:"cpuMillis"`
		MemoryMiB           int64  `json:"memoryMiB"`
		Pods                int64  `json:"pods"`
		EphemeralStorageGiB int64  `json:"ephemeralStorageGiB"`
		NvidiaGPU           *int64 `json:"nvidiaGpu"`
		Neuron              *int64 `json:"neuron"`
	} `json:"allocatable"`
}

func mib(n int64) resource.Quantity { return *resource.NewQuantity(n*1024*1024, resource.BinarySI) }

// loadCatalog returns the priced instance types and the number skipped for having no price.
func loadCatalog(path, region string, zones []string) ([]*cloudprovider.InstanceType, int, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, 0, err
	}
	var f catalogFile
	if err := json.Unmarshal(raw, &f); err != nil {
		return nil, 0, fmt.Errorf("%s: %w", path, err)
	}
	if f.Region != "" {
		region = f.Region
	}
	var out []*cloudprovider.InstanceType
	skipped := 0
	for _, t := range f.InstanceTypes {
		if t.Price == nil || *t.Price <= 0 {
			skipped++
			continue
		}
		out = append(out, instanceType(t, region, zones))
	}
	return out, skipped, nil
}

func instanceType(t typeFact, region string, zones []string) *cloudprovider.InstanceType {
	// Capacity as the AWS provider computes it: memory less 7.5% VM overhead (arm64: less 64 MiB first).
	base := t.MemoryMiB
	if t.Arch == "arm64" {
		base -= 64
	}
	memCap := base - int64(math.Ceil(float64(base)*0.075))
	const evictionMiB = 100
	kubeReservedMem := memCap - evictionMiB - t.Allocatable.MemoryMiB
	eviction := int64(evictionMiB)
	if kubeReservedMem < 0 { // never for this catalog; keep Allocatable() exact anyway
		memCap, kubeReservedMem, eviction = t.Allocatable.MemoryMiB, 0, 0
	}
	capacity := corev1.ResourceList{
		corev1.ResourceCPU:              *resource.NewQuantity(t.VCPU, resource.DecimalSI),
		corev1.ResourceMemory:           mib(memCap),
		corev1.ResourcePods:             *resource.NewQuantity(t.Allocatable.Pods, resource.DecimalSI),
		corev1.ResourceEphemeralStorage: *resource.NewQuantity(t.Allocatable.EphemeralStorageGiB<<30, resource.BinarySI),
	}
	if t.Allocatable.NvidiaGPU != nil && *t.Allocatable.NvidiaGPU > 0 {
		capacity[resourceNvidiaGPU] = *resource.NewQuantity(*t.Allocatable.NvidiaGPU, resource.DecimalSI)
	}
	if t.Allocatable.Neuron != nil && *t.Allocatable.Neuron > 0 {
		capacity[resourceNeuron] = *resource.NewQuantity(*t.Allocatable.Neuron, resource.DecimalSI)
	}
	overhead := &cloudprovider.InstanceTypeOverhead{
		KubeReserved: corev1.ResourceList{
			corev1.ResourceCPU:    *resource.NewMilliQuantity(t.VCPU*1000-t.Allocatable.CPUMillis, resource.DecimalSI),
			corev1.ResourceMemory: mib(kubeReservedMem),
		},
		SystemReserved:    corev1.ResourceList{},
		EvictionThreshold: corev1.ResourceList{corev1.ResourceMemory: mib(eviction)},
	}

	in := func(k string, v ...string) *scheduling.Requirement {
		return scheduling.NewRequirement(k, corev1.NodeSelectorOpIn, v...)
	}
	absent := func(k string) *scheduling.Requirement {
		return scheduling.NewRequirement(k, corev1.NodeSelectorOpDoesNotExist)
	}
	opt := func(k string, v *string) *scheduling.Requirement {
		if v == nil || *v == "" {
			return absent(k)
		}
		return in(k, *v)
	}
	optInt := func(k string, v *int64) *scheduling.Requirement {
		if v == nil {
			return absent(k)
		}
		return in(k, fmt.Sprint(*v))
	}
	reqs := scheduling.NewRequirements(
		in(corev1.LabelInstanceTypeStable, t.Name),
		in(corev1.LabelArchStable, t.Arch),
		in(corev1.LabelOSStable, t.OS),
		in(corev1.LabelTopologyZone, zones...),
		in(corev1.LabelTopologyRegion, region),
		absent(corev1.LabelWindowsBuild),
		in(v1.CapacityTypeLabelKey, v1.CapacityTypeOnDemand),
		in(labelCategory, t.Category),
		in(labelFamily, t.Family),
		in(labelGeneration, fmt.Sprint(t.Generation)),
		in(labelSize, t.Size),
		in(labelCPU, fmt.Sprint(t.VCPU)),
		in(labelMemory, fmt.Sprint(t.MemoryMiB)),
		opt(labelHypervisor, t.Hypervisor),
		opt(labelCPUMfr, t.CPUManufacturer),
		optInt(labelBandwidth, t.NetworkBandwidthMbps),
		optInt(labelLocalNVME, t.LocalNvmeGiB),
	)
	if t.GPU != nil {
		reqs.Add(in(labelGPUName, lower(t.GPU.Name)), in(labelGPUMfr, lower(t.GPU.Manufacturer)),
			in(labelGPUCount, fmt.Sprint(t.GPU.Count)), in(labelGPUMemory, fmt.Sprint(t.GPU.MemoryMiB)))
	} else {
		reqs.Add(absent(labelGPUName), absent(labelGPUMfr), absent(labelGPUCount), absent(labelGPUMemory))
	}

	offerings := cloudprovider.Offerings{}
	for _, z := range zones {
		offerings = append(offerings, &cloudprovider.Offering{
			Requirements: scheduling.NewLabelRequirements(map[string]string{
				v1.CapacityTypeLabelKey:  v1.CapacityTypeOnDemand,
				corev1.LabelTopologyZone: z,
			}),
			Price:     *t.Price,
			Available: true,
		})
	}
	return &cloudprovider.InstanceType{
		Name:         t.Name,
		Requirements: reqs,
		Offerings:    offerings,
		Capacity:     capacity,
		Overhead:     overhead,
	}
}

func lower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 32
		}
	}
	return string(b)
}
