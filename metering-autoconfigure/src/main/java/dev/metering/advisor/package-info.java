/**
 * The ChatClient advisor that meters every model round trip, and its companion that
 * settles who is billed.
 */
package dev.metering.advisor;
