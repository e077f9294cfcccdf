package org.geomend.eval;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.geomend.dataset.Dataset;

/**
 * How the tested base stations (those with a ground-truth map) are split into folds, after DeepMEND section V:
 * <ul>
 *   <li>{@code cv5}: 5-fold cross-validation (80:20), folds drawn by a seeded shuffle of the tested sites;
 *       the report groups are the urbanisation classes;</li>
 *   <li>{@code loo-city}: leave one city out, one fold per city (test = that city's sites, train = all other
 *       tested sites); groups are the cities;</li>
 *   <li>{@code loo-env}: leave one urbanisation class out; groups are the classes.</li>
 * </ul>
 * Every tested site is in the test set of exactly one fold. Methods that are not trained give the same map for a
 * site whatever the fold; trained methods (later issues) are fitted on each fold's training set.
 */
public enum Split {
    CV5("cv5"),
    LOO_CITY("loo-city"),
    LOO_ENV("loo-env");

    public static final int CV_FOLDS = 5;

    public final String cliName;

    Split(String cliName) {
        this.cliName = cliName;
    }

    /** One fold: its name, the sites to fit on and the sites to test (indices into the dataset's sites). */
    public record Fold(String name, int[] train, int[] test) {}

    public static Split parse(String s) {
        for (Split v : values()) if (v.cliName.equals(s.trim().toLowerCase(Locale.ROOT))) return v;
        throw new IllegalArgumentException("unknown split '" + s + "' (cv5, loo-city or loo-env)");
    }

    /** The report group a tested site belongs to under this split (besides {@code all}). */
    public String group(Dataset d, int site) {
        return this == LOO_CITY ? d.city(site) : d.env(site);
    }

    /** The groups of this split in report order (only those holding tested sites). */
    public List<String> groups(Dataset d) {
        if (this == LOO_CITY) {
            TreeMap<String, Boolean> c = new TreeMap<>();
            for (int s : d.tested()) c.put(d.city(s), true);
            return List.copyOf(c.keySet());
        }
        List<String> out = new ArrayList<>();
        for (String cls : Dataset.CLASSES)
            for (int s : d.tested())
                if (d.env(s).equals(cls)) {
                    out.add(cls);
                    break;
                }
        return out;
    }

    /** The folds; the union of their test sets is every tested site, each exactly once. */
    public List<Fold> folds(Dataset d, long seed) {
        int[] all = d.tested();
        List<Fold> out = new ArrayList<>();
        switch (this) {
            case CV5 -> {
                if (all.length < CV_FOLDS)
                    throw new IllegalArgumentException("--split cv5 needs at least " + CV_FOLDS
                            + " sites with a map in " + d.mapsFile() + " (it has " + all.length + ")");
                int[] order = all.clone();
                Arrays.sort(order);
                SplittableRandom rnd = new SplittableRandom(seed);
                for (int i = order.length - 1; i > 0; i--) {
                    int j = rnd.nextInt(i + 1);
                    int t = order[i];
                    order[i] = order[j];
                    order[j] = t;
                }
                int[] fold = new int[d.size()];
                for (int k = 0; k < order.length; k++) fold[order[k]] = k % CV_FOLDS;
                for (int f = 0; f < CV_FOLDS; f++) {
                    final int ff = f;
                    out.add(fold("fold" + (f + 1), all, s -> fold[s] == ff));
                }
            }
            case LOO_CITY -> {
                for (int s : all)
                    if (d.city(s).isEmpty())
                        throw new IllegalArgumentException(d.sitesFile() + ":" + d.line(s)
                                + ": --split loo-city needs a city for every site with a map");
                List<String> cities = groups(d);
                if (cities.size() < 2)
                    throw new IllegalArgumentException(
                            "--split loo-city needs at least 2 cities in " + d.sitesFile() + " (found " + cities + ")");
                for (String c : cities) out.add(fold(c, all, s -> d.city(s).equals(c)));
            }
            case LOO_ENV -> {
                List<String> cls = groups(d);
                if (cls.size() < 2)
                    throw new IllegalArgumentException(
                            "--split loo-env needs sites with a map in at least 2 classes in " + d.sitesFile()
                                    + " (found " + cls + ")");
                for (String c : cls) out.add(fold(c, all, s -> d.env(s).equals(c)));
            }
        }
        return out;
    }

    private static Fold fold(String name, int[] all, java.util.function.IntPredicate inTest) {
        int[] test = Arrays.stream(all).filter(inTest).toArray();
        int[] train = Arrays.stream(all).filter(s -> !inTest.test(s)).toArray();
        return new Fold(name, train, test);
    }
}
