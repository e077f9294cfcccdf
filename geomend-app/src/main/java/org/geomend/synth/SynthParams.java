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
 *   <li>Traffic (population density, diurnal activity, market share): {@link Traffic}.</li>
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
public record SynthParams(
        String preset,
        String profile,
        int window,
        double resolution,
        double ueHeight,
        double floorDbm,
        int nStrongest,
        double minRelativeDb,
        boolean rayleigh,
        double locationSigmaDb,
        double hysteresisDb,
        int hysteresisCandidates,
        double interSiteCorrelation,
        double commonDcorrM,
        double reachSigmas,
        double maxReachM,
        double losMaxDistanceUrbanM,
        double losMaxDistanceRuralM,
        int resourceBlocks,
        Antenna antenna,
        List<Layer> layers,
        EnvParams urban,
        EnvParams suburban,
        EnvParams rural,
        List<CitySpec> cities,
        double tileM,
        double envUrbanMaxM,
        double envSuburbanMaxM,
        int envNeighbours) {

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
    public record EnvParams(
            PathLossModel model,
            double isdM,
            double hardCoreFactor,
            double clusterFraction,
            double clusterSigmaIsd,
            double microFraction,
            double[] sectorProbs,
            double[] microSectorProbs,
            double hMin,
            double hMax,
            double microHMin,
            double microHMax,
            double tiltMin,
            double tiltMax,
            double powerMinDbm,
            double powerMaxDbm,
            double microPowerMinDbm,
            double microPowerMaxDbm,
            double[] layerProbs,
            double dcorrM,
            double microDcorrM) {

        /** The same class with macro-site shadowing decorrelation {@code d} (m). */
        public EnvParams withDcorr(double d) {
            return new EnvParams(
                    model,
                    isdM,
                    hardCoreFactor,
                    clusterFraction,
                    clusterSigmaIsd,
                    microFraction,
                    sectorProbs,
                    microSectorProbs,
                    hMin,
                    hMax,
                    microHMin,
                    microHMax,
                    tiltMin,
                    tiltMax,
                    powerMinDbm,
                    powerMaxDbm,
                    microPowerMinDbm,
                    microPowerMaxDbm,
                    layerProbs,
                    d,
                    microDcorrM);
        }
    }

    /** A generated city: urban disk, suburban ring, rural ring (all with maps), then a context ring without maps. */
    public record CitySpec(
            String name, double cx, double cy, double urbanRadiusM, double suburbanRadiusM, double ruralRadiusM) {}

    /**
     * The traffic model of the synthetic operator ({@link SynthTraffic}): who lives where and how active they are. Not a
     * component of {@link SynthParams} (so {@code manifest.json}'s {@code params} stay as they were); written to
     * {@code traffic.json}. Sources and assumptions:
     * <ul>
     *   <li>Density falls off exponentially with distance from the city centre: Clark (1951), "Urban population
     *       densities", J. Royal Statistical Society A 114(4), 490-496. In each ring of a generated city
     *       {@code rho = rho_env exp(-(d - d_env) / L_env)}, {@code d} the distance to the centre and {@code d_env} the
     *       ring's inner radius (0 for the urban core; the rural formula runs on through the context ring).</li>
     *   <li>Urban core 20,000 residents/km^2 at the centre: Paris intra-muros, INSEE census 2017, 2,187,526 inhabitants on
     *       105.4 km^2 = 20,754/km^2. {@code L} 4 km: an assumption (a 2.5 km core then averages about 15,000/km^2 and
     *       ends near 10,700/km^2).</li>
     *   <li>Suburban 2,000/km^2 at the core's edge, {@code L} 4 km; rural 80/km^2 at the suburban edge, {@code L} 20 km:
     *       assumptions, between the Paris inner-ring suburbs (about 6,700/km^2) and mainland France's mean (about
     *       105-120/km^2: 65-68 million people on 552,000 km^2) for the first, below that mean for the second.</li>
     *   <li>Within a ring, a log-normal factor {@code exp(sigma Z - sigma^2 / 2)} (mean 1), {@code Z} a unit-variance
     *       Gaussian field interpolated between independent nodes {@code noiseCellM} apart: blocks, parks, villages. An
     *       assumption ({@code sigma} 0.5, 1 km).</li>
     *   <li>Diurnal activity (network events per subscriber per hour, hours 00-23 of a weekday): shapes after Wang, Xu,
     *       Li, Zhang, Jin, "Understanding Mobile Traffic Patterns of Large Scale Cellular Towers in Urban Environment",
     *       ACM IMC 2015 (arXiv:1510.04026): five basic tower patterns, each tied to a kind of place; residential towers
     *       peak late in the evening, business-district (office) towers in working hours. The urban core takes the
     *       office shape (peak 11:00, second peak 15:00), suburban and rural rings the residential one (peak 21:00). The
     *       hourly values are ours (an assumption, not read off their figures), as are the peak levels (20, 16 and 12
     *       events per subscriber per hour).</li>
     *   <li>Market share 0.35: an assumption, about the incumbent's share of French mobile subscriptions (Orange, one of
     *       four network operators; MVNOs about 11 % of subscribers, BuddeComm 2018).</li>
     * </ul>
     *
     * @param marketShare     share of residents who are the operator's subscribers
     * @param urbanDensity    residents per km^2 at the city centre
     * @param urbanLengthM    e-folding length of the urban density (m)
     * @param suburbanDensity residents per km^2 at the urban core's edge
     * @param suburbanLengthM e-folding length in the suburban ring (m)
     * @param ruralDensity    residents per km^2 at the suburban ring's edge
     * @param ruralLengthM    e-folding length in the rural and context rings (m)
     * @param noiseSigma      log-normal spread of the density within a ring
     * @param noiseCellM      spacing of the noise field's nodes (m)
     * @param urbanPeakEvents network events per subscriber in the urban profile's busiest hour
     * @param suburbanPeakEvents ... suburban
     * @param ruralPeakEvents ... rural
     * @param officeProfile   relative hourly activity, 24 values (max 1), of the urban core (business district)
     * @param residentialProfile relative hourly activity of the suburban and rural rings
     */
    public record Traffic(
            double marketShare,
            double urbanDensity,
            double urbanLengthM,
            double suburbanDensity,
            double suburbanLengthM,
            double ruralDensity,
            double ruralLengthM,
            double noiseSigma,
            double noiseCellM,
            double urbanPeakEvents,
            double suburbanPeakEvents,
            double ruralPeakEvents,
            double[] officeProfile,
            double[] residentialProfile) {

        /** Hours per day: the time steps of the profiles. */
        public static final int HOURS = 24;

        public Traffic {
            if (officeProfile.length != HOURS || residentialProfile.length != HOURS)
                throw new IllegalArgumentException("activity profiles need " + HOURS + " hourly values");
        }

        /** The defaults listed above. */
        public static Traffic defaults() {
            return new Traffic(
                    0.35,
                    20_000,
                    4_000,
                    2_000,
                    4_000,
                    80,
                    20_000,
                    0.5,
                    1_000,
                    20,
                    16,
                    12,
                    new double[] {
                        0.20, 0.13, 0.09, 0.07, 0.07, 0.10, 0.22, 0.45, 0.72, 0.90, 0.97, 1.00, 0.92, 0.90, 0.96, 0.98,
                        0.93, 0.85, 0.72, 0.60, 0.52, 0.48, 0.40, 0.30
                    },
                    new double[] {
                        0.45, 0.28, 0.17, 0.11, 0.09, 0.11, 0.20, 0.38, 0.52, 0.58, 0.62, 0.66, 0.72, 0.70, 0.66, 0.66,
                        0.70, 0.78, 0.86, 0.92, 0.97, 1.00, 0.90, 0.68
                    });
        }

        /** Residents per km^2 {@code dPastInnerEdge} metres past the inner edge of ring {@code env} (before the noise). */
        public double ringDensity(Env env, double dPastInnerEdge) {
            return switch (env) {
                case URBAN -> urbanDensity * Math.exp(-dPastInnerEdge / urbanLengthM);
                case SUBURBAN -> suburbanDensity * Math.exp(-dPastInnerEdge / suburbanLengthM);
                case RURAL -> ruralDensity * Math.exp(-dPastInnerEdge / ruralLengthM);
            };
        }

        /** Network events per subscriber in hour {@code h} (0-23) for a subscriber living in {@code env}. */
        public double activity(Env env, int h) {
            return switch (env) {
                case URBAN -> urbanPeakEvents * officeProfile[h];
                case SUBURBAN -> suburbanPeakEvents * residentialProfile[h];
                case RURAL -> ruralPeakEvents * residentialProfile[h];
            };
        }

        /** The label of time step {@code h}: {@code T00} ... {@code T23} (ISO 8601 hour; sorts as text). */
        public static String time(int h) {
            return String.format(java.util.Locale.ROOT, "T%02d", h);
        }
    }

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
            case CALIBRATED ->
                profile.equals(CALIBRATED) ? this : base(preset, cities).withWindow(window);
            case LITERATURE ->
                new SynthParams(
                        preset,
                        LITERATURE,
                        window,
                        resolution,
                        ueHeight,
                        floorDbm,
                        nStrongest,
                        minRelativeDb,
                        rayleigh,
                        6.0,
                        hysteresisDb,
                        hysteresisCandidates,
                        interSiteCorrelation,
                        commonDcorrM,
                        reachSigmas,
                        maxReachM,
                        losMaxDistanceUrbanM,
                        losMaxDistanceRuralM,
                        resourceBlocks,
                        Antenna.TR36814,
                        layers,
                        urban,
                        suburban.withDcorr(GUDMUNDSON_DCORR_M),
                        rural.withDcorr(GUDMUNDSON_DCORR_M),
                        cities,
                        tileM,
                        envUrbanMaxM,
                        envSuburbanMaxM,
                        envNeighbours);
            default ->
                throw new IllegalArgumentException(
                        "unknown profile '" + name + "' (" + CALIBRATED + ", " + LITERATURE + ")");
        };
    }

    /** Shadowing decorrelation distance (m) measured by Gudmundson (1991) for suburban macrocells at 900 MHz. */
    public static final double GUDMUNDSON_DCORR_M = 500;

    /** Width of the rural context ring around each city: half a window, so every map window is filled with sites. */
    public double contextRingM() {
        return window * resolution / 2;
    }

    public EnvParams env(Env e) {
        return switch (e) {
            case URBAN -> urban;
            case SUBURBAN -> suburban;
            case RURAL -> rural;
        };
    }

    public SynthParams withWindow(int w) {
        return new SynthParams(
                preset,
                profile,
                w,
                resolution,
                ueHeight,
                floorDbm,
                nStrongest,
                minRelativeDb,
                rayleigh,
                locationSigmaDb,
                hysteresisDb,
                hysteresisCandidates,
                interSiteCorrelation,
                commonDcorrM,
                reachSigmas,
                maxReachM,
                losMaxDistanceUrbanM,
                losMaxDistanceRuralM,
                resourceBlocks,
                antenna,
                layers,
                urban,
                suburban,
                rural,
                cities,
                tileM,
                envUrbanMaxM,
                envSuburbanMaxM,
                envNeighbours);
    }

    public SynthParams withCities(List<CitySpec> c) {
        return new SynthParams(
                preset,
                profile,
                window,
                resolution,
                ueHeight,
                floorDbm,
                nStrongest,
                minRelativeDb,
                rayleigh,
                locationSigmaDb,
                hysteresisDb,
                hysteresisCandidates,
                interSiteCorrelation,
                commonDcorrM,
                reachSigmas,
                maxReachM,
                losMaxDistanceUrbanM,
                losMaxDistanceRuralM,
                resourceBlocks,
                antenna,
                layers,
                urban,
                suburban,
                rural,
                c,
                tileM,
                envUrbanMaxM,
                envSuburbanMaxM,
                envNeighbours);
    }

    /** Layers: 800 MHz coverage layer, 1800, 2100, 2600 MHz capacity layers and the 3.5 GHz NR layer. */
    static List<Layer> defaultLayers() {
        return List.of(
                new Layer("L800", 0.8, 0.0, -110),
                new Layer("L1800", 1.8, 2.0, -110),
                new Layer("L2100", 2.1, 3.0, -110),
                new Layer("L2600", 2.6, 4.0, -108),
                new Layer("N3500", 3.5, 6.0, -105));
    }

    static EnvParams defaultUrban() {
        return new EnvParams(
                PathLossModel.UMA,
                450,
                0.6,
                0.5,
                1.5,
                0.2,
                new double[] {0.05, 0.10, 0.85},
                new double[] {0.6, 0.3, 0.1},
                20,
                35,
                6,
                12,
                6,
                12,
                43,
                49,
                33,
                40,
                new double[] {0.15, 0.35, 0.20, 0.20, 0.10},
                PathLossModel.UMA.dcorrNlos,
                PathLossModel.UMI.dcorrNlos);
    }

    static EnvParams defaultSuburban() {
        return new EnvParams(
                PathLossModel.UMA,
                1400,
                0.55,
                0.4,
                1.5,
                0.0,
                new double[] {0.10, 0.10, 0.80},
                new double[] {1, 0, 0},
                25,
                40,
                6,
                12,
                3,
                8,
                43,
                49,
                33,
                40,
                new double[] {0.35, 0.35, 0.15, 0.10, 0.05},
                PathLossModel.UMA.dcorrNlos,
                PathLossModel.UMI.dcorrNlos);
    }

    static EnvParams defaultRural() {
        return new EnvParams(
                PathLossModel.RMA,
                5000,
                0.45,
                0.5,
                1.0,
                0.0,
                new double[] {0.20, 0.20, 0.60},
                new double[] {1, 0, 0},
                30,
                60,
                6,
                12,
                0,
                4,
                43,
                49,
                33,
                40,
                new double[] {0.65, 0.25, 0.10, 0.0, 0.0},
                PathLossModel.RMA.dcorrNlos,
                PathLossModel.UMI.dcorrNlos);
    }

    /** Lambert-93 position of slot {@code k} of a 5 x 3 grid of city centres 150 km apart inside mainland France. */
    static double[] slot(int k) {
        return new double[] {350_000 + 150_000 * (k % 5), 6_350_000 + 150_000 * (k / 5)};
    }

    private static SynthParams base(String preset, List<CitySpec> cities) {
        return new SynthParams(
                preset,
                CALIBRATED,
                600,
                100,
                1.5,
                -136,
                32,
                60,
                true,
                18.0,
                3.0,
                3,
                0.5,
                100,
                3.0,
                20_000,
                1_000,
                10_000,
                100,
                Antenna.TR38901,
                defaultLayers(),
                defaultUrban(),
                defaultSuburban(),
                defaultRural(),
                cities,
                50_000,
                800,
                2_500,
                3);
    }

    /** Two cities, a few hundred BSs with maps. */
    public static SynthParams small() {
        double[] a = slot(0), b = slot(1);
        return base(
                "small",
                List.of(
                        new CitySpec("city01", a[0], a[1], 2_500, 6_000, 14_000),
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
