package org.geomend.io;

import java.util.List;
import java.util.Map;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * The Arrow schema of a map file (SPEC section 5): {@code id} utf8, {@code x0}, {@code y0},
 * {@code resolution} float64, {@code width}, {@code height} int32, {@code crs} utf8, then either
 * {@code p} fixed_size_list&lt;float32&gt;[width*height] (dense) or {@code pixel} list&lt;int32&gt; +
 * {@code p} list&lt;float32&gt; (sparse). All fields are non-nullable; list items are named {@code item}
 * (as pyarrow names them).
 */
public final class ArrowMaps {

    /** Footer metadata key: the row counts of the record batches, comma separated (lets readers seek by row). */
    public static final String BATCH_ROWS_KEY = "geomend.batch_rows";

    static final ArrowType UTF8 = ArrowType.Utf8.INSTANCE;
    static final ArrowType F64 = new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE);
    static final ArrowType F32 = new ArrowType.FloatingPoint(FloatingPointPrecision.SINGLE);
    static final ArrowType I32 = new ArrowType.Int(32, true);

    private ArrowMaps() {}

    static Field field(String name, ArrowType type) {
        return new Field(name, FieldType.notNullable(type), null);
    }

    static Field list(String name, ArrowType listType, ArrowType item) {
        return new Field(name, FieldType.notNullable(listType), List.of(field("item", item)));
    }

    /** The schema; {@code listSize} is width*height (dense only). */
    public static Schema schema(boolean sparse, int listSize, Map<String, String> metadata) {
        List<Field> common = List.of(
                field("id", UTF8),
                field("x0", F64),
                field("y0", F64),
                field("resolution", F64),
                field("width", I32),
                field("height", I32),
                field("crs", UTF8));
        List<Field> all = new java.util.ArrayList<>(common);
        if (sparse) {
            all.add(list("pixel", ArrowType.List.INSTANCE, I32));
            all.add(list("p", ArrowType.List.INSTANCE, F32));
        } else {
            all.add(list("p", new ArrowType.FixedSizeList(listSize), F32));
        }
        return new Schema(all, metadata == null || metadata.isEmpty() ? null : metadata);
    }
}
