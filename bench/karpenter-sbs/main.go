// karpenter-sbs runs Karpenter's own scheduling simulation (sigs.k8s.io/karpenter
// pkg/controllers/provisioning/scheduling: NewTopology, NewScheduler, Solve) on the same files
// `berth plan` reads, and prints what Karpenter would launch as one JSON object:
//
//	{nodes, pricePerHour, solveMillis, unschedulable, podsPerSecond, ...}
//
// The setup follows Karpenter's scheduling_benchmark_test.go (fake kube client, state cluster,
// topology, scheduler, no existing nodes, no daemonsets); Solve is timed alone, warm: one untimed
// run, then the median of -runs timed runs, each on a freshly built scheduler (Solve is stateful).
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"math"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"sort"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/client-go/tools/record"
	"k8s.io/utils/clock"
	fakecr "sigs.k8s.io/controller-runtime/pkg/client/fake"
	"sigs.k8s.io/controller-runtime/pkg/log"

	v1 "sigs.k8s.io/karpenter/pkg/apis/v1"
	"sigs.k8s.io/karpenter/pkg/cloudprovider"
	"sigs.k8s.io/karpenter/pkg/cloudprovider/fake"
	"sigs.k8s.io/karpenter/pkg/controllers/provisioning/scheduling"
	"sigs.k8s.io/karpenter/pkg/controllers/state"
	"sigs.k8s.io/karpenter/pkg/events"
	"sigs.k8s.io/karpenter/pkg/operator/injection"
	"sigs.k8s.io/karpenter/pkg/operator/logging"
	"sigs.k8s.io/karpenter/pkg/operator/options"
	"sigs.k8s.io/karpenter/pkg/test"
	nodepoolutils "sigs.k8s.io/karpenter/pkg/utils/nodepool"
)

type multi []string

func (m *multi) String() string     { return strings.Join(*m, ",") }
func (m *multi) Set(v string) error { *m = append(*m, v); return nil }

type output struct {
	Karpenter             string           `json:"karpenter"`
	Pods                  int              `json:"pods"`
	Nodes                 int              `json:"nodes"`
	PricePerHour          float64          `json:"pricePerHour"`
	PricePerHourNoExotic  float64          `json:"pricePerHourWithoutExoticFilter"`
	SolveMillis           float64          `json:"solveMillis"`
	SolveMillisRuns       []float64        `json:"solveMillisRuns"`
	ColdSolveMillis       float64          `json:"coldSolveMillis"`
	SetupMillis           float64          `json:"setupMillis"`
	Unschedulable         int              `json:"unschedulable"`
	UnschedulableSample   []string         `json:"unschedulableSample,omitempty"`
	UnschedulablePods     []string         `json:"unschedulablePods,omitempty"`
	PodsPerSecond         float64          `json:"podsPerSecond"`
	InstanceTypes         int              `json:"instanceTypes"`
	InstanceTypesNoPrice  int              `json:"instanceTypesSkippedNoPrice"`
	TemplateInstanceTypes map[string]int   `json:"nodePoolInstanceTypes"`
	LaunchedTypes         map[string]int   `json:"launchedTypes"`
	PodsPerNode           [3]float64       `json:"podsPerNodeMinMeanMax"`
	ConcurrentReconciles  int              `json:"numConcurrentReconciles"`
	GOMAXPROCS            int              `json:"gomaxprocs"`
	Allocatable           map[string]alloc `json:"allocatable,omitempty"`
	Consistent            bool             `json:"runsConsistent"`
	NodesDetail           []nodeDetail     `json:"nodesDetail,omitempty"`
	ZoneCounts            map[string]int   `json:"zones"`
	Runs                  int              `json:"runs"`
	PriceRange            [2]float64       `json:"pricePerHourMinMaxOverRuns"`
	NodesRange            [2]int           `json:"nodesMinMaxOverRuns"`
	Within60s             *partial         `json:"within60s,omitempty"`
	Note                  string           `json:"note,omitempty"`
}

// partial: what a Solve cut off at the provisioner's one-minute timeout had decided.
type partial struct {
	PodsPlaced   int     `json:"podsPlaced"`
	Nodes        int     `json:"nodes"`
	PricePerHour float64 `json:"pricePerHour"`
	PodErrors    int     `json:"podErrors"`
}

type runSummary struct {
	res           scheduling.Results
	millis        float64
	nodes         int
	placed        int
	unschedulable int
	price         float64
	priceAny      float64
	launches      []launched
}

func summarize(res scheduling.Results, millis float64) (runSummary, error) {
	s := runSummary{res: res, millis: millis, nodes: len(res.NewNodeClaims), unschedulable: len(res.PodErrors)}
	for _, nc := range res.NewNodeClaims {
		l := launch(nc)
		if l.it == nil {
			return s, fmt.Errorf("a NodeClaim with %d pods has no launchable offering", len(nc.Pods))
		}
		s.launches = append(s.launches, l)
		s.price += l.price
		s.priceAny += l.priceAny
		s.placed += len(nc.Pods)
	}
	return s, nil
}

func round5(x float64) float64 { return math.Round(x*1e5) / 1e5 }

type alloc struct {
	CPUMillis int64   `json:"cpuMillis"`
	MemoryMiB float64 `json:"memoryMiB"`
	Pods      int64   `json:"pods"`
	Price     float64 `json:"onDemandPriceUSDPerHour"`
}

type nodeDetail struct {
	NodePool     string   `json:"nodePool"`
	InstanceType string   `json:"instanceType"`
	Zone         string   `json:"zone"`
	Price        float64  `json:"pricePerHour"`
	Options      int      `json:"instanceTypeOptions"`
	Pods         []string `json:"pods"`
}

func karpenterVersion() string {
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, d := range bi.Deps {
			if d.Path == "sigs.k8s.io/karpenter" {
				return d.Version
			}
		}
	}
	return "unknown"
}

func main() {
	var podFiles, poolFiles multi
	flag.Var(&podFiles, "f", "pods YAML (multi-document); repeatable")
	flag.Var(&poolFiles, "nodepools", "NodePool YAML (karpenter.sh/v1; other kinds ignored); repeatable")
	catalogPath := flag.String("catalog", "data/ec2-instance-types.json", "instance catalog (ec2-instance-types.json format)")
	zonesFlag := flag.String("zones", "us-east-1a,us-east-1b,us-east-1c", "zones with one on-demand offering each")
	region := flag.String("region", "us-east-1", "region label (the catalog's region wins)")
	runs := flag.Int("runs", 3, "timed Solve runs after one untimed warm-up; the median is reported")
	concurrency := flag.Int("concurrency", 5, "scheduling.NumConcurrentReconciles (Karpenter's benchmark uses 5)")
	show := flag.String("show", "m5.xlarge", "comma-separated instance types whose allocatable (as Karpenter sees it) is printed")
	detail := flag.Bool("detail", false, "include every new NodeClaim (type, zone, price, pods) in the output")
	cpuprofile := flag.String("cpuprofile", "", "write a CPU profile of the timed Solve runs to this file")
	budget := flag.Float64("budget-s", 900, "stop starting timed runs once this many seconds have passed (at least the warm-up runs)")
	timeoutProbe := flag.Bool("timeout-probe", true, "when Solve takes over 60 s, also run it with the provisioner's 1-minute timeout and report what it had placed")
	flag.Parse()
	if *cpuprofile != "" {
		profileTo = *cpuprofile
	}
	if len(podFiles) == 0 || len(poolFiles) == 0 {
		fmt.Fprintln(os.Stderr, "usage: karpenter-sbs -f pods.yaml --nodepools nodepools.yaml [--catalog file] [-runs 3]")
		os.Exit(2)
	}
	if err := run(podFiles, poolFiles, *catalogPath, strings.Split(*zonesFlag, ","), *region, *runs, *concurrency, *show, *detail, *budget, *timeoutProbe); err != nil {
		fmt.Fprintln(os.Stderr, "karpenter-sbs:", err)
		os.Exit(2)
	}
}

func run(podFiles, poolFiles []string, catalogPath string, zones []string, region string, runs, concurrency int, show string, detail bool, budget float64, timeoutProbe bool) error {
	log.SetLogger(logging.NopLogger)
	registerAWSLabels()
	ctx := options.ToContext(injection.WithControllerName(context.Background(), "provisioner"), test.Options())

	its, skipped, err := loadCatalog(catalogPath, region, zones)
	if err != nil {
		return err
	}
	pools, err := loadNodePools(poolFiles)
	if err != nil {
		return err
	}
	nodepoolutils.OrderByWeight(pools)
	pods, err := loadPods(podFiles)
	if err != nil {
		return err
	}
	if len(pods) == 0 {
		return fmt.Errorf("no Pod in -f")
	}
	// GetInstanceTypes returns every type for every NodePool; NewScheduler filters them by the
	// NodePool's requirements, as in the real provisioner.
	byPool := map[string][]*cloudprovider.InstanceType{}
	for _, np := range pools {
		byPool[np.Name] = its
	}

	out := output{
		Karpenter: karpenterVersion(), Pods: len(pods), InstanceTypes: len(its), InstanceTypesNoPrice: skipped,
		ConcurrentReconciles: concurrency, GOMAXPROCS: runtime.GOMAXPROCS(0), Consistent: true,
		Allocatable: map[string]alloc{}, TemplateInstanceTypes: map[string]int{},
	}
	for _, np := range pools {
		out.TemplateInstanceTypes[np.Name] = len(poolTypes(np, its))
	}
	for _, name := range strings.Split(show, ",") {
		for _, it := range its {
			if it.Name == name {
				a := it.Allocatable()
				out.Allocatable[name] = alloc{CPUMillis: a.Cpu().MilliValue(), MemoryMiB: float64(a.Memory().Value()) / (1 << 20),
					Pods: a.Pods().Value(), Price: it.Offerings[0].Price}
			}
		}
	}

	solveOnce := func(timeout time.Duration) (scheduling.Results, float64, float64, error) {
		podsCopy := make([]*corev1.Pod, len(pods))
		for j, p := range pods {
			podsCopy[j] = p.DeepCopy()
		}
		setupStart := time.Now()
		s, err := newScheduler(ctx, pools, byPool, podsCopy, concurrency)
		if err != nil {
			return scheduling.Results{}, 0, 0, err
		}
		setup := msSince(setupStart)
		runtime.GC()
		sctx, cancel := ctx, context.CancelFunc(func() {})
		if timeout > 0 {
			sctx, cancel = context.WithTimeout(ctx, timeout)
		}
		defer cancel()
		start := time.Now()
		res, err := s.Solve(sctx, podsCopy)
		elapsed := msSince(start)
		if err != nil && !(timeout > 0 && errors.Is(err, context.DeadlineExceeded)) {
			return res, elapsed, setup, fmt.Errorf("solve: %w", err)
		}
		// What the provisioner does next (provisioner.go Schedule).
		return res.TruncateInstanceTypes(ctx, scheduling.MaxInstanceTypes), elapsed, setup, nil
	}

	// Run 0 is the untimed warm-up; runs 1..N are timed, as long as the time budget allows.
	var all []runSummary
	var times []float64
	began := time.Now()
	for i := 0; i <= runs; i++ {
		if i > 0 && time.Since(began).Seconds()+all[len(all)-1].millis/1000 > budget {
			out.Note = fmt.Sprintf("timed runs cut to %d by -budget-s %.0f", len(times), budget)
			break
		}
		if i == 1 {
			startProfile()
		}
		res, elapsed, setup, err := solveOnce(0)
		if err != nil {
			return err
		}
		sum, err := summarize(res, elapsed)
		if err != nil {
			return err
		}
		all = append(all, sum)
		if i == 0 {
			out.ColdSolveMillis, out.SetupMillis = elapsed, setup
			continue
		}
		times = append(times, elapsed)
	}
	stopProfile()
	out.SolveMillisRuns = times
	out.SolveMillis = median(times)
	if len(times) == 0 {
		out.SolveMillis = out.ColdSolveMillis
		if out.Note == "" {
			out.Note = "no timed run (-runs 0): solveMillis is the cold run"
		}
	}
	out.PodsPerSecond = float64(len(pods)) / (out.SolveMillis / 1000)

	// Karpenter's result varies run to run (topology domains are picked by map iteration):
	// report the run with the median price, and the range over all runs.
	sort.SliceStable(all, func(a, b int) bool { return all[a].price < all[b].price })
	rep := all[(len(all)-1)/2]
	out.Runs = len(all)
	out.PriceRange = [2]float64{round5(all[0].price), round5(all[len(all)-1].price)}
	out.NodesRange = [2]int{math.MaxInt, 0}
	for _, r := range all {
		out.NodesRange = [2]int{min(out.NodesRange[0], r.nodes), max(out.NodesRange[1], r.nodes)}
		out.Consistent = out.Consistent && r.unschedulable == rep.unschedulable
	}
	res := rep.res
	out.Nodes = rep.nodes
	out.Unschedulable = rep.unschedulable
	out.PricePerHour = round5(rep.price)
	out.PricePerHourNoExotic = round5(rep.priceAny)
	out.LaunchedTypes = map[string]int{}
	out.ZoneCounts = map[string]int{}
	var errs []string
	for p, e := range res.PodErrors {
		errs = append(errs, fmt.Sprintf("%s/%s: %v", p.Namespace, p.Name, e))
		if detail {
			out.UnschedulablePods = append(out.UnschedulablePods, p.Namespace+"/"+p.Name)
		}
	}
	sort.Strings(errs)
	sort.Strings(out.UnschedulablePods)
	if len(errs) > 5 {
		errs = errs[:5]
	}
	out.UnschedulableSample = errs
	minP, maxP, sumP := math.MaxInt, 0, 0
	for i, nc := range res.NewNodeClaims {
		l := rep.launches[i]
		out.LaunchedTypes[l.it.Name]++
		out.ZoneCounts[l.zone]++
		n := len(nc.Pods)
		minP, maxP, sumP = min(minP, n), max(maxP, n), sumP+n
		if detail {
			names := make([]string, 0, n)
			for _, p := range nc.Pods {
				names = append(names, p.Namespace+"/"+p.Name)
			}
			out.NodesDetail = append(out.NodesDetail, nodeDetail{NodePool: nc.NodePoolName, InstanceType: l.it.Name,
				Zone: l.zone, Price: l.price, Options: len(nc.InstanceTypeOptions), Pods: names})
		}
	}
	if out.Nodes > 0 {
		out.PodsPerNode = [3]float64{float64(minP), float64(sumP) / float64(out.Nodes), float64(maxP)}
	}

	// Karpenter's provisioner gives Solve one minute (provisioner.go Schedule); when the full
	// solve takes longer, show what it would have decided by then.
	if timeoutProbe && out.ColdSolveMillis > 60000 {
		res, _, _, err := solveOnce(time.Minute)
		if err != nil {
			return err
		}
		sum, err := summarize(res, 60000)
		if err != nil {
			return err
		}
		out.Within60s = &partial{PodsPlaced: sum.placed, Nodes: sum.nodes, PricePerHour: round5(sum.price), PodErrors: sum.unschedulable}
	}
	enc := json.NewEncoder(os.Stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

// newScheduler builds what Karpenter's scheduling benchmark builds (setupScheduler), with the
// given NodePools and instance types instead of its synthetic ones.
func newScheduler(ctx context.Context, pools []*v1.NodePool, byPool map[string][]*cloudprovider.InstanceType, pods []*corev1.Pod, concurrency int) (*scheduling.Scheduler, error) {
	cp := fake.NewCloudProvider()
	for name, its := range byPool {
		cp.InstanceTypesForNodePool[name] = its
	}
	client := fakecr.NewFakeClient()
	clk := &clock.RealClock{}
	cluster := state.NewCluster(clk, client, cp)
	opts := []scheduling.Options{scheduling.NumConcurrentReconciles(concurrency)}
	topology, err := scheduling.NewTopology(ctx, client, cluster, nil, pools, byPool, pods, opts...)
	if err != nil {
		return nil, fmt.Errorf("creating topology, %w", err)
	}
	return scheduling.NewScheduler(ctx, client, pools, cluster, nil, topology, byPool, nil,
		events.NewRecorder(&record.FakeRecorder{}), clk, nil, nil, opts...), nil
}

var profileTo string
var profileFile *os.File

func startProfile() {
	if profileTo == "" {
		return
	}
	f, err := os.Create(profileTo)
	if err == nil && pprof.StartCPUProfile(f) == nil {
		profileFile = f
	}
}

func stopProfile() {
	if profileFile != nil {
		pprof.StopCPUProfile()
		profileFile.Close()
	}
}

func msSince(t time.Time) float64 { return float64(time.Since(t).Microseconds()) / 1000 }

func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}
