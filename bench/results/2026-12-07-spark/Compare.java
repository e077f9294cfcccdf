import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.geomend.io.ArrowMapReader;

/** Every map of a spark geolocate output against a geolocate --sparse Arrow file, bit for bit. */
public class Compare {
    public static void main(String[] a) throws Exception {
        SparkSession s = SparkSession.builder().master("local[2]").config("spark.ui.enabled", "false").getOrCreate();
        s.sparkContext().setLogLevel("ERROR");
        Map<String, Row> rows = new HashMap<>();
        for (Row r : s.read().parquet(a[1] + "/maps").collectAsList()) rows.put(r.getString(0), r);
        long[] c = new long[3];
        try (ArrowMapReader r = ArrowMapReader.open(Path.of(a[0]))) {
            r.forEach(want -> {
                Row row = rows.remove(want.id());
                c[0]++;
                if (row == null) { c[2]++; return; }
                int w = row.getInt(4), h = row.getInt(5);
                float[] got = new float[w * h];
                List<Integer> px = row.getList(7);
                List<Float> p = row.getList(8);
                for (int i = 0; i < px.size(); i++) got[px.get(i)] = p.get(i);
                c[1] += px.size();
                boolean same = want.grid().x0() == row.getDouble(1) && want.grid().y0() == row.getDouble(2)
                        && want.grid().width() == w && want.grid().height() == h;
                for (int i = 0; same && i < got.length; i++)
                    same = Float.floatToRawIntBits(got[i]) == Float.floatToRawIntBits(want.values()[i]);
                if (!same) c[2]++;
            });
        }
        System.out.println("compare: " + c[0] + " maps, " + c[1] + " kept pixels, " + c[2] + " differ, " + rows.size() + " only in Spark's output");
    }
}
