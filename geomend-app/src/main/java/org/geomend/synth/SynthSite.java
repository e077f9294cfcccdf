package org.geomend.synth;

/**
 * One synthetic base-station site with its sectors. All sectors share the site's height, downtilt,
 * per-RE transmit power and carrier layer; they differ in azimuth (degrees clockwise from north).
 *
 * @param index   position in the layout (the inventory index every kernel uses)
 * @param target  whether a ground-truth map is produced for it (false for the context ring around a city)
 * @param epreDbm reference-signal power per resource element (dBm)
 * @param layer   index into {@link SynthParams#layers()}
 * @param dcorrM  decorrelation distance of its own shadowing component (m)
 */
public record SynthSite(
        int index,
        String id,
        double x,
        double y,
        Env env,
        String city,
        boolean target,
        PathLossModel model,
        double height,
        double tiltDeg,
        double epreDbm,
        int layer,
        double dcorrM,
        double[] azimuthDeg) {

    public int sectors() {
        return azimuthDeg.length;
    }
}
