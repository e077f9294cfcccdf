/** Architecture checks of geomend-app: the package layers of the README's table. */
package org.geomend.layers;
