package org.geomend.cli;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.geomend.dataset.Dataset;
import org.geomend.voronoiboost.GroundTruthTargets;
import org.geomend.voronoiboost.InventoryCells;
import org.geomend.voronoiboost.PublishedReproduction;
import org.geomend.voronoiboost.PublishedScales;
import org.geomend.voronoiboost.ScaledCell;
import org.geomend.voronoiboost.TrainingSet;
import org.geomend.voronoiboost.VoronoiBoostModel;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code geomend voronoiboost train|loco}: fitting the VoronoiBoost regressor and checking it on the published scales. */
@Command(
        name = "voronoiboost",
        mixinStandardHelpOptions = true,
        description =
                "VoronoiBoost (SECON 2022): train the scale regressor, or check it against the published model's scales.",
        subcommands = {VoronoiBoostCommand.Train.class, VoronoiBoostCommand.Loco.class})
final class VoronoiBoostCommand implements Runnable {

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new picocli.CommandLine.ParameterException(spec.commandLine(), "missing sub-command (train or loco)");
    }

    /** Geometry and boosting options shared by both sub-commands. */
    static final class ModelOptions {
        @Option(
                names = "--origin",
                description =
                        "Scale cells about: station | bbox-centre (default: station for --data, bbox-centre for --published, as the published code).")
        String origin;

        @Option(
                names = "--clip-margin",
                defaultValue = "2000",
                description =
                        "Cells are clipped this far (m) outside the inventory's bounding box (default ${DEFAULT-VALUE}).")
        double clipMargin;

        @Option(names = "--trees", defaultValue = "300", description = "Boosted trees (default ${DEFAULT-VALUE}).")
        int trees;

        @Option(names = "--max-depth", defaultValue = "8", description = "Tree depth (default ${DEFAULT-VALUE}).")
        int maxDepth;

        @Option(
                names = "--max-nodes",
                defaultValue = "128",
                description = "Leaves per tree (default ${DEFAULT-VALUE}).")
        int maxNodes;

        @Option(names = "--node-size", defaultValue = "5", description = "Smallest leaf (default ${DEFAULT-VALUE}).")
        int nodeSize;

        @Option(names = "--shrinkage", defaultValue = "0.05", description = "Learning rate (default ${DEFAULT-VALUE}).")
        double shrinkage;

        @Option(
                names = "--subsample",
                defaultValue = "0.7",
                description = "Row share per tree (default ${DEFAULT-VALUE}).")
        double subsample;

        @Option(names = "--seed", defaultValue = "1", description = "Seed (default ${DEFAULT-VALUE}).")
        long seed;

        VoronoiBoostModel.Settings settings(ScaledCell.Origin dflt) {
            return new VoronoiBoostModel.Settings(origin == null ? dflt : ScaledCell.Origin.parse(origin), clipMargin);
        }

        VoronoiBoostModel.Hyper hyper() {
            return new VoronoiBoostModel.Hyper(trees, maxDepth, maxNodes, nodeSize, shrinkage, subsample, seed);
        }
    }

    static final class Source {
        @Option(
                names = "--data",
                required = true,
                description =
                        "(a) A dataset with ground truth (geomend synth output): targets are the scales holding mass tau of each map.")
        Path data;

        @Option(
                names = "--published",
                required = true,
                description = "(b) The published model's scales (reference/voronoiboost-published-scales.csv).")
        Path published;
    }

    @Command(
            name = "train",
            mixinStandardHelpOptions = true,
            sortOptions = false,
            description =
                    "Fit the regressor [tau] + features -> s_tau and save the model (use it with geolocate --method voronoiboost --model FILE).")
    static final class Train implements Callable<Integer> {
        @ArgGroup(exclusive = true, multiplicity = "1")
        Source source;

        @Option(names = "--out", required = true, description = "Model file to write.")
        Path out;

        @picocli.CommandLine.Mixin
        ModelOptions mo;

        @Override
        public Integer call() throws Exception {
            long t0 = System.nanoTime();
            double[] taus = VoronoiBoostModel.TAUS;
            Map<String, String> info = new LinkedHashMap<>();
            TrainingSet ts;
            VoronoiBoostModel.Settings settings;
            double featS, targetS;
            if (source.data != null) {
                settings = mo.settings(ScaledCell.Origin.STATION);
                Dataset d = Dataset.load(source.data);
                InventoryCells cells = InventoryCells.of(d.positions(), settings);
                featS = (System.nanoTime() - t0) / 1e9;
                int[] sites = d.tested();
                long t1 = System.nanoTime();
                double[][] y = GroundTruthTargets.compute(d, cells, sites, taus);
                targetS = (System.nanoTime() - t1) / 1e9;
                ts = GroundTruthTargets.trainingSet(cells, sites, y, taus);
                info.put("source", "ground truth");
                info.put("dataset", source.data.toString());
                d.manifest().forEach((k, v) -> {
                    if (k.equals("seed") || k.equals("preset")) info.put("dataset_" + k, v);
                });
            } else {
                settings = mo.settings(ScaledCell.Origin.BBOX_CENTRE);
                PublishedScales p = PublishedScales.read(source.published);
                PublishedScales.Cells cells = p.cells(settings);
                featS = (System.nanoTime() - t0) / 1e9;
                targetS = 0;
                int[] all = new int[p.size()];
                for (int i = 0; i < all.length; i++) all[i] = i;
                ts = p.trainingSet(cells.features(), all);
                taus = p.taus();
                info.put("source", "published scales");
                info.put("file", source.published.toString());
            }
            long t2 = System.nanoTime();
            VoronoiBoostModel m = VoronoiBoostModel.fit(ts.x(), ts.y(), taus, settings, mo.hyper(), info);
            double fitS = (System.nanoTime() - t2) / 1e9;
            m.save(out);
            System.err.printf(
                    Locale.ROOT,
                    "geomend voronoiboost train: %d sites, %d rows; features %.1f s, targets %.1f s, fit %.1f s; origin %s, clip margin %.0f m; wrote %s%n",
                    ts.sites(),
                    ts.rows(),
                    featS,
                    targetS,
                    fitS,
                    settings.origin().cliName(),
                    settings.clipMargin(),
                    out);
            return 0;
        }
    }

    @Command(
            name = "loco",
            mixinStandardHelpOptions = true,
            sortOptions = false,
            description =
                    "Leave one city out on the published scales: median relative error of s_tau per tau, as a Markdown table.")
    static final class Loco implements Callable<Integer> {
        @Option(names = "--published", required = true, description = "reference/voronoiboost-published-scales.csv")
        Path published;

        @Option(names = "--out", description = "Markdown file to write (default: stdout).")
        Path out;

        @picocli.CommandLine.Mixin
        ModelOptions mo;

        @Override
        public Integer call() throws Exception {
            PublishedScales p = PublishedScales.read(published);
            VoronoiBoostModel.Settings s = mo.settings(ScaledCell.Origin.BBOX_CENTRE);
            PublishedReproduction.Result r = PublishedReproduction.run(p, s, mo.hyper(), System.err);
            VoronoiBoostModel.Hyper h = mo.hyper();
            String cmd = String.format(
                    Locale.ROOT,
                    "geomend voronoiboost loco --published %s --clip-margin %.0f --trees %d --max-depth %d --max-nodes %d --node-size %d --shrinkage %s --subsample %s --seed %d",
                    published,
                    s.clipMargin(),
                    h.trees(),
                    h.maxDepth(),
                    h.maxNodes(),
                    h.nodeSize(),
                    h.shrinkage(),
                    h.subsample(),
                    h.seed());
            String md = PublishedReproduction.markdown(r, cmd);
            if (out == null) System.out.print(md);
            else PublishedReproduction.write(out, md);
            return 0;
        }
    }
}
