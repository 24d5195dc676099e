/**
 * The implementation behind {@link io.tieredcache.TieredCache}. Not an API: anything here may
 * change in any release.
 */
package io.tieredcache.internal;
