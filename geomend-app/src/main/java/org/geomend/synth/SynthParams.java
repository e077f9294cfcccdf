package org.geomend.synth;

import java.util.ArrayList;
import java.util.List;

/**
 * Every parameter of the synthetic operator (all written to {@code manifest.json}). Literature values:
 * <ul>
 *   <li>Path loss, LOS probability, shadowing sigma and decorrelation: 3GPP TR 38.901 v17 Tables 7.4.1-1,
 *       7.4.2-1, 7.5-6 (see {@link PathLossModel}); Gudmundson (1991) exponential correlation.</li>
 *   <li>Antenna: 38.901 Table 7.3-1 ({@link Antenna#TR38901}).</li>
 *   <li>Heights: 38.901 defaults UMa 25 m, UMi 10 m, RMa 35 m (RMa range 10-150 m); we draw around them.</li>
 *   <li>Transmit power: macro 43-49 dBm total (20-80 W), micro 33-40 dBm; per-RE (RSRP) power is
 *       {@code P - 10 log10(12 N_RB)}, N_RB = 100 (20 MHz LTE), i.e. 12-18 dBm macro.</li>
 *   <li>Inter-site distances: urban macro 200-500 m (38.901 UMa/UMi ISD 500 m / 200 m), suburban 1-2 km,
 *       rural 1.7-8 km (38.901 RMa ISD 1732 m or 5000 m).</li>
 *   <li>Carrier layers: the French LTE/NR bands 700/800, 1800, 2100, 2600 MHz and 3.5 GHz.</li>
 *   <li>Inter-site shadowing correlation 0.5 (3GPP TR 36.942 section 4.5 / TR 25.942).</li>
 *   <li>Coverage floor -136 dBm: RSRP down to which a UE may still be served (TS 36.304 Q_rxlevmin spans -140 to
 *       -44 dBm; operators set -124 to -130 for normal coverage, coverage-enhancement modes reach -140). CALIBRATED.</li>
 *   <li>Association softness 18 dB (locationSigmaDb). Physical location variability alone is 6-10 dB (38.901 shadowing
 *       sigma 4-8 dB at 13-120 m decorrelation, below the 100 m pixel; O2I loss sigma 4.4-6.5 dB); the operator's
 *       "internally engineered priority tables" (DeepMEND section III-A) are unpublished, and we let a softer logit
 *       stand for them. CALIBRATED against DeepMEND's Table I medians (with -136 dBm, 32 competing sectors and a
 *       60 dB relative cut, small preset: 0.574 / 0.492 for Voronoi / legacy sPDI; with the physical 10 dB, -128 dBm
 *       and 8 sectors: 0.398 / 0.345; the paper: 0.704 / 0.501).</li>
 *   <li>Handover: A3 offset + hysteresis 2-4 dB (typical operator settings, TS 36.331 reportConfigEUTRA).</li>
 * </ul>
 * These are the {@value #CALIBRATED} profile (the presets' default). {@link #withProfile} with {@value #LITERATURE}
 * puts the calibrated softness back to a physical value and two more parameters to other literature values (6 dB location
 * variability, the TR 36.814 array antenna, Gudmundson's 500 m decorrelation in suburban and rural areas); it keeps the
 * -136 dBm floor (inside TS 36.304's Q_rxlevmin range).
 *
 * @param profile          {@value #CALIBRATED} (association softness and floor calibrated against DeepMEND's KS2 medians) or
 *                         {@value #LITERATURE} (every parameter at its literature value; see {@link #withProfile})
 * @param window           BS window side W in pixels (SPEC default 600)
 * @param resolution       pixel side r in metres (SPEC default 100)
 * @param ueHeight         UE height h_UT (m), 38.901 default 1.5
 * @param floorDbm         receiver sensitivity: sectors whose local-mean RSRP is below it do not serve
 * @param nStrongest       only the N strongest sectors of a pixel take part in association
 * @param minRelativeDb    sectors more than this below the best metric are dropped (win probability < 10^(-x/10))
 * @param rayleigh         best server under independent Rayleigh (exponential-power) fast fading; false = plain best server
 * @param locationSigmaDb  within-pixel location variability (dB): the spread of a UE's per-link received power around the
 *                         pixel's value, i.i.d. across sites (sub-pixel shadowing, 38.901 decorrelation 13-120 m vs the
 *                         100 m pixel; outdoor-to-indoor loss 4.4-6.5 dB sigma); combined with Rayleigh fading through a
 *                         moment-matched logit, see {@link Association}; 0 = Rayleigh only
 * @param hysteresisDb     handover hysteresis (soft margin) H, see {@link Association}
 * @param hysteresisCandidates how many likely previous servers M the hysteresis mixture runs over
 * @param interSiteCorrelation share of the shadowing variance common to all sites at a location
 * @param commonDcorrM     decorrelation distance of the common shadowing component (m)
 * @param reachSigmas      a site is a candidate where its NLOS RSRP at +reachSigmas sigma reaches the floor
 * @param maxReachM        upper bound on a site's candidate radius (m)
 * @param losMaxDistanceUrbanM LOS is only drawn within this 2-D distance for UMa/UMi (38.901's 18/d tail is a short-range fit)
 * @param losMaxDistanceRuralM the same for RMa (38.901 RMa validity 10 km)
 * @param resourceBlocks   N_RB for the per-RE power
 * @param antenna          sector antenna
 * @param layers           carrier layers and their priority table
 * @param urban            per-class deployment parameters
 * @param cities           generated cities (empty when positions are given)
 * @param tileM            for given layouts: side of the tiles whose sites share one association raster
 * @param envUrbanMaxM     given layouts without env: urban when the mean distance to the {@code envNeighbours} nearest other sites is below this
 * @param envSuburbanMaxM  ... suburban below this, rural above
 * @param envNeighbours    neighbours averaged for the env classification
 */
public record SynthParams(String preset, String profile, int window, double resolution, double ueHeight, double floorDbm,
                          int nStrongest, double minRelativeDb, boolean rayleigh, double locationSigmaDb, double hysteresisDb,
                          int hysteresisCandidates, double interSiteCorrelation, double commonDcorrM,
                          double reachSigmas, double maxReachM, double losMaxDistanceUrbanM,
                          double losMaxDistanceRuralM, int resourceBlocks, Antenna antenna, List<Layer> layers,
                          EnvParams urban, EnvParams suburban, EnvParams rural, List<CitySpec> cities,
                          double tileM, double envUrbanMaxM, double envSuburbanMaxM, int envNeighbours) {

    /**
     * A carrier layer and its line in the operator's priority table: a sector of this layer gets
     * {@code priorityOffsetDb} added to its selection metric where its RSRP is at least {@code thresholdDbm}
     * (idle-mode reselection priority with Thresh_X,High, TS 36.304 section 5.2.4.5).
     */
    public record Layer(String name, double freqGHz, double priorityOffsetDb, double thresholdDbm) {}

    /**
     * Deployment of one urbanisation class.
     *
     * @param isdM            target inter-site distance (sites placed at density 1 / (sqrt(3)/2 ISD^2))
     * @param hardCoreFactor  no two sites closer than this times the ISD (sequential inhibition)
     * @param clusterFraction share of sites drawn around cluster centres (Thomas-like clustering)
     * @param clusterSigmaIsd Gaussian spread of a cluster, in ISDs
     * @param microFraction   share of UMi street-canyon micro sites (urban only)
     * @param sectorProbs     probability of 1, 2, 3 sectors for macro sites
     * @param layerProbs      probability of each carrier layer (same order as {@link SynthParams#layers})
     */
    public record EnvParams(PathLossModel model, double isdM, double hardCoreFactor, double clusterFraction,
                            double clusterSigmaIsd, double microFraction, double[] sectorProbs,
                            double[] microSectorProbs, double hMin, double hMax, double microHMin, double microHMax,
                            double tiltMin, double tiltMax, double powerMinDbm, double powerMaxDbm,
                            double microPowerMinDbm, double microPowerMaxDbm, double[] layerProbs,
                            double dcorrM, double microDcorrM) {

        /** The same class with macro-site shadowing decorrelation {@code d} (m). */
        public EnvParams withDcorr(double d) {
            return new EnvParams(model, isdM, hardCoreFactor, clusterFraction, clusterSigmaIsd, microFraction, sectorProbs,
                    microSectorProbs, hMin, hMax, microHMin, microHMax, tiltMin, tiltMax, powerMinDbm, powerMaxDbm,
                    microPowerMinDbm, microPowerMaxDbm, layerProbs, d, microDcorrM);
        }
    }

    /** A generated city: urban disk, suburban ring, rural ring (all with maps), then a context ring without maps. */
    public record CitySpec(String name, double cx, double cy, double urbanRadiusM, double suburbanRadiusM,
                           double ruralRadiusM) {}

    /** The profile whose softness and floor were calibrated against DeepMEND's Table I KS2 medians (the default). */
    public static final String CALIBRATED = "calibrated";
    /** The profile with every parameter at its literature value. */
    public static final String LITERATURE = "literature";

    /**
     * These parameters under profile {@code name}. {@value #CALIBRATED} is the presets' default. {@value #LITERATURE}
     * changes three things back to literature values: location variability 6 dB (38.901 O2I loss sigma 4.4-6.5 dB,
     * sub-pixel shadowing) instead of the calibrated 18 dB softness; the 3GPP TR 36.814 Table A.2.1.1-2 macro sector
     * antenna ({@link Antenna#TR36814}: 10 deg vertical beam, the array operators deploy) instead of 38.901's single
     * element (65 deg vertical beam, so downtilt hardly limits reach); suburban and rural shadowing decorrelation 500 m
     * (Gudmundson 1991: correlation 0.82 at 100 m, suburban 900 MHz) instead of 38.901's 50 / 120 m. It reproduces the
     * spread of real ground truth that the published VoronoiBoost model predicts (median scale holding half the mass
     * 0.98 vs 1.17, 95 % 4.9 vs 4.1; {@link Calibration}), but it is much easier than DeepMEND's operator for Voronoi
     * and legacy sPDI (small preset medians 0.36 / 0.30; the paper's 0.70 / 0.50).
     */
    public SynthParams withProfile(String name) {
        return switch (name) {
            case CALIBRATED -> profile.equals(CALIBRATED) ? this
                    : base(preset, cities).withWindow(window);
            case LITERATURE -> new SynthParams(preset, LITERATURE, window, resolution, ueHeight, floorDbm, nStrongest,
                    minRelativeDb, rayleigh, 6.0, hysteresisDb, hysteresisCandidates, interSiteCorrelation, commonDcorrM,
                    reachSigmas, maxReachM, losMaxDistanceUrbanM, losMaxDistanceRuralM, resourceBlocks, Antenna.TR36814,
                    layers, urban, suburban.withDcorr(GUDMUNDSON_DCORR_M), rural.withDcorr(GUDMUNDSON_DCORR_M), cities,
                    tileM, envUrbanMaxM, envSuburbanMaxM, envNeighbours);
            default -> throw new IllegalArgumentException("unknown profile '" + name + "' (" + CALIBRATED + ", " + LITERATURE + ")");
        };
    }

    /** Shadowing decorrelation distance (m) measured by Gudmundson (1991) for suburban macrocells at 900 MHz. */
    public static final double GUDMUNDSON_DCORR_M = 500;

    /** Width of the rural context ring around each city: half a window, so every map window is filled with sites. */
    public double contextRingM() { return window * resolution / 2; }

    public EnvParams env(Env e) {
        return switch (e) {
            case URBAN -> urban;
            case SUBURBAN -> suburban;
            case RURAL -> rural;
        };
    }

    public SynthParams withWindow(int w) {
        return new SynthParams(preset, profile, w, resolution, ueHeight, floorDbm, nStrongest, minRelativeDb, rayleigh,
                locationSigmaDb, hysteresisDb, hysteresisCandidates, interSiteCorrelation, commonDcorrM, reachSigmas, maxReachM,
                losMaxDistanceUrbanM, losMaxDistanceRuralM, resourceBlocks, antenna, layers, urban, suburban, rural,
                cities, tileM, envUrbanMaxM, envSuburbanMaxM, envNeighbours);
    }

    public SynthParams withCities(List<CitySpec> c) {
        return new SynthParams(preset, profile, window, resolution, ueHeight, floorDbm, nStrongest, minRelativeDb, rayleigh,
                locationSigmaDb, hysteresisDb, hysteresisCandidates, interSiteCorrelation, commonDcorrM, reachSigmas, maxReachM,
                losMaxDistanceUrbanM, losMaxDistanceRuralM, resourceBlocks, antenna, layers, urban, suburban, rural,
                c, tileM, envUrbanMaxM, envSuburbanMaxM, envNeighbours);
    }

    /** Layers: 800 MHz coverage layer, 1800, 2100, 2600 MHz capacity layers and the 3.5 GHz NR layer. */
    static List<Layer> defaultLayers() {
        return List.of(new Layer("L800", 0.8, 0.0, -110),
                new Layer("L1800", 1.8, 2.0, -110),
                new Layer("L2100", 2.1, 3.0, -110),
                new Layer("L2600", 2.6, 4.0, -108),
                new Layer("N3500", 3.5, 6.0, -105));
    }

    static EnvParams defaultUrban() {
        return new EnvParams(PathLossModel.UMA, 450, 0.6, 0.5, 1.5, 0.2,
                new double[] {0.05, 0.10, 0.85}, new double[] {0.6, 0.3, 0.1},
                20, 35, 6, 12, 6, 12, 43, 49, 33, 40,
                new double[] {0.15, 0.35, 0.20, 0.20, 0.10}, PathLossModel.UMA.dcorrNlos, PathLossModel.UMI.dcorrNlos);
    }

    static EnvParams defaultSuburban() {
        return new EnvParams(PathLossModel.UMA, 1400, 0.55, 0.4, 1.5, 0.0,
                new double[] {0.10, 0.10, 0.80}, new double[] {1, 0, 0},
                25, 40, 6, 12, 3, 8, 43, 49, 33, 40,
                new double[] {0.35, 0.35, 0.15, 0.10, 0.05}, PathLossModel.UMA.dcorrNlos, PathLossModel.UMI.dcorrNlos);
    }

    static EnvParams defaultRural() {
        return new EnvParams(PathLossModel.RMA, 5000, 0.45, 0.5, 1.0, 0.0,
                new double[] {0.20, 0.20, 0.60}, new double[] {1, 0, 0},
                30, 60, 6, 12, 0, 4, 43, 49, 33, 40,
                new double[] {0.65, 0.25, 0.10, 0.0, 0.0}, PathLossModel.RMA.dcorrNlos, PathLossModel.UMI.dcorrNlos);
    }

    /** Lambert-93 position of slot {@code k} of a 5 x 3 grid of city centres 150 km apart inside mainland France. */
    static double[] slot(int k) {
        return new double[] {350_000 + 150_000 * (k % 5), 6_350_000 + 150_000 * (k / 5)};
    }

    private static SynthParams base(String preset, List<CitySpec> cities) {
        return new SynthParams(preset, CALIBRATED, 600, 100, 1.5, -136, 32, 60, true, 18.0, 3.0, 3, 0.5, 100, 3.0, 20_000,
                1_000, 10_000, 100, Antenna.TR38901, defaultLayers(), defaultUrban(), defaultSuburban(),
                defaultRural(), cities, 50_000, 800, 2_500, 3);
    }

    /** Two cities, a few hundred BSs with maps. */
    public static SynthParams small() {
        double[] a = slot(0), b = slot(1);
        return base("small", List.of(new CitySpec("city01", a[0], a[1], 2_500, 6_000, 14_000),
                new CitySpec("city02", b[0], b[1], 1_500, 4_000, 11_000)));
    }

    /** Fourteen cities (3 large, 5 medium, 6 small), about 6,000 BSs with maps. */
    public static SynthParams paper() {
        List<CitySpec> c = new ArrayList<>();
        for (int k = 0; k < 14; k++) {
            double[] s = slot(k);
            String name = String.format("city%02d", k + 1);
            if (k < 3) c.add(new CitySpec(name, s[0], s[1], 5_000, 13_000, 30_000));
            else if (k < 8) c.add(new CitySpec(name, s[0], s[1], 3_500, 9_000, 24_000));
            else c.add(new CitySpec(name, s[0], s[1], 2_000, 6_000, 18_000));
        }
        return base("paper", c);
    }

    /** Parameters for a given layout: the small preset's physics, no generated cities. */
    public static SynthParams forGivenSites(String preset) {
        SynthParams p = preset(preset);
        return p.withCities(List.of());
    }

    public static SynthParams preset(String name) {
        return switch (name) {
            case "small" -> small();
            case "paper" -> paper();
            default -> throw new IllegalArgumentException("unknown preset '" + name + "' (small, paper)");
        };
    }
}
