/*
 * corgi_group_bundle.h: a config's group states as one bytea (the unit that hops in
 * corgi.fit_multiple with grouping_cols). See corgi_group_bundle.c for the layout.
 */
#ifndef CORGI_GROUP_BUNDLE_H
#define CORGI_GROUP_BUNDLE_H

#include "postgres.h"

/* A bundle of count states (byteas) of the given groups (0-based, ascending). */
extern bytea *corgi_bundle_pack(const int32 *groups, Datum *states, int count);

/* The groups and states (new byteas) of a bundle; their count. Errors on a malformed one. */
extern int	corgi_bundle_unpack(bytea *bundle, int32 **groups_out, Datum **states_out);

#endif							/* CORGI_GROUP_BUNDLE_H */
