/* The libsbml model -> an ilnet network: symbols first (what each id is and what changes
 * it), then the network's parameters, species, rules, reactions and events in that order,
 * and the output symbols. */
#include "internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef ilnet_sbml_reader ctx;
typedef ilnet_sbml_sym sym;

/* ---- symbols ---- */

static int add_sym(ctx *c, const char *id, int kind)
{
    if (ilnet_strmap_get(&c->map, id, (size_t)-1) >= 0)
        return ilnet_error_set(ILNET_EINPUT, "%s: id '%s' used twice", c->path, id);
    sym *s = realloc(c->syms, (size_t)(c->nsyms + 1) * sizeof *s);
    if (!s) return ilnet_error_oom();
    c->syms = s;
    memset(&s[c->nsyms], 0, sizeof *s);
    s[c->nsyms].id = id;
    s[c->nsyms].kind = kind;
    s[c->nsyms].net_species = -1;
    c->nsyms++;
    return 0;
}

/* species references with an id: symbols whose value is their stoichiometry (rules,
 * initial assignments and events may change it, math may read it) */
static int declare_species_references(ctx *c)
{
    for (unsigned i = 0; i < Model_getNumReactions(c->m); i++) {
        Reaction_t *r = Model_getReaction(c->m, i);
        for (int side = 0; side < 2; side++) {
            unsigned n = side ? Reaction_getNumProducts(r) : Reaction_getNumReactants(r);
            for (unsigned k = 0; k < n; k++) {
                SpeciesReference_t *sr =
                    side ? Reaction_getProduct(r, k) : Reaction_getReactant(r, k);
                const char *id = SpeciesReference_getId(sr);
                if (!id || !*id) continue;
                int rc = add_sym(c, id, ILNET_SBML_PARAM);
                if (rc) return rc;
                c->syms[c->nsyms - 1].sref = sr;
            }
        }
    }
    return 0;
}

/* compartments, parameters and species, in that order */
static int declare_symbols(ctx *c)
{
    Model_t *m = c->m;
    int rc;
    for (unsigned i = 0; i < Model_getNumCompartments(m); i++)
        if ((rc = add_sym(c, Compartment_getId(Model_getCompartment(m, i)), ILNET_SBML_COMP)))
            return rc;
    for (unsigned i = 0; i < Model_getNumParameters(m); i++)
        if ((rc = add_sym(c, Parameter_getId(Model_getParameter(m, i)), ILNET_SBML_PARAM)))
            return rc;
    for (unsigned i = 0; i < Model_getNumSpecies(m); i++) {
        Species_t *s = Model_getSpecies(m, i);
        if ((rc = add_sym(c, Species_getId(s), ILNET_SBML_SPECIES))) return rc;
        sym *y = &c->syms[c->nsyms - 1];
        y->comp = Species_getCompartment(s);
        Compartment_t *cp = Model_getCompartmentById(m, y->comp);
        if (!cp)
            return ilnet_error_set(ILNET_EINPUT, "%s: species '%s' is in unknown compartment '%s'",
                                   c->path, y->id, y->comp);
        y->conc = !Species_getHasOnlySubstanceUnits(s) &&
                  Compartment_getSpatialDimensionsAsDouble(cp) != 0;
    }
    if ((rc = declare_species_references(c))) return rc;
    for (int i = 0; i < c->nsyms; i++) {
        int put = ilnet_strmap_put(&c->map, c->syms[i].id, i);
        if (put < 0) return ilnet_error_oom();
        if (put > 0 || Model_getReactionById(m, c->syms[i].id))
            return ilnet_error_set(ILNET_EINPUT, "%s: id '%s' used twice", c->path, c->syms[i].id);
    }
    return 0;
}

static int mark_rules(ctx *c)
{
    for (unsigned i = 0; i < Model_getNumRules(c->m); i++) {
        Rule_t *r = Model_getRule(c->m, i);
        if (!Rule_getMath(r)) continue; /* SBML L3V2: a rule without math is ignored */
        if (Rule_isAlgebraic(r)) return ilnet_sbml_unsupported(c, "algebraic rule", NULL);
        sym *s = ilnet_sbml_lookup(c, Rule_getVariable(r));
        if (!s)
            return ilnet_error_set(ILNET_EINPUT, "%s: rule for unknown symbol '%s'", c->path,
                                   Rule_getVariable(r));
        if (Rule_isAssignment(r))
            s->assigned = 1;
        else
            s->rate_rule = 1; /* a compartment's too: its size becomes a state variable */
    }
    return 0;
}

/* parameters and compartments that events change become state variables */
static int mark_event_targets(ctx *c)
{
    for (unsigned i = 0; i < Model_getNumEvents(c->m); i++) {
        Event_t *ev = Model_getEvent(c->m, i);
        for (unsigned a = 0; a < Event_getNumEventAssignments(ev); a++) {
            if (!EventAssignment_getMath(Event_getEventAssignment(ev, a))) continue; /* ignored */
            const char *v = EventAssignment_getVariable(Event_getEventAssignment(ev, a));
            sym *s = ilnet_sbml_lookup(c, v);
            if (!s)
                return ilnet_error_set(ILNET_EINPUT,
                                       "%s: event '%s' assigns to unknown symbol '%s'", c->path,
                                       Event_getId(ev), v);
            if (s->assigned)
                return ilnet_error_set(
                    ILNET_EINPUT, "%s: event '%s' assigns to '%s', which has an assignment rule",
                    c->path, Event_getId(ev), v);
            if (s->kind != ILNET_SBML_SPECIES) s->event_target = 1;
        }
    }
    return 0;
}

static int check_unsupported(ctx *c)
{
    /* a concentration with a rate rule in a varying compartment would need dV/dt terms */
    for (int k = 0; k < c->nsyms; k++) {
        sym *y = &c->syms[k];
        if (y->kind != ILNET_SBML_SPECIES || !y->conc || !y->rate_rule) continue;
        sym *cp = ilnet_sbml_lookup(c, y->comp);
        if (cp && cp->assigned)
            return ilnet_sbml_unsupported(
                c, "rate rule on a concentration in a varying compartment", y->id);
    }
    for (unsigned i = 0; i < Model_getNumReactions(c->m); i++) {
        Reaction_t *r = Model_getReaction(c->m, i);
        if (Reaction_isSetFast(r) && Reaction_getFast(r))
            return ilnet_sbml_unsupported(c, "fast reaction", Reaction_getId(r));
    }
    return 0;
}

static int uses_reaction_id(const Model_t *m, const ASTNode_t *n)
{
    if (!n) return 0;
    if (ASTNode_getType(n) == AST_NAME && Model_getReactionById((Model_t *)m, ASTNode_getName(n)))
        return 1;
    for (unsigned i = 0; i < ASTNode_getNumChildren(n); i++)
        if (uses_reaction_id(m, ASTNode_getChild(n, i))) return 1;
    return 0;
}

/* a reaction id used in math stands for its rate */
static void find_rate_refs(ctx *c)
{
    Model_t *m = c->m;
    for (unsigned i = 0; i < Model_getNumRules(m); i++)
        c->rate_refs |= uses_reaction_id(m, Rule_getMath(Model_getRule(m, i)));
    for (unsigned i = 0; i < Model_getNumReactions(m); i++) {
        KineticLaw_t *kl = Reaction_getKineticLaw(Model_getReaction(m, i));
        if (kl) c->rate_refs |= uses_reaction_id(m, KineticLaw_getMath(kl));
    }
    for (unsigned i = 0; i < Model_getNumEvents(m); i++) {
        Event_t *ev = Model_getEvent(m, i);
        const Trigger_t *tr = Event_getTrigger(ev);
        const Delay_t *dl = Event_getDelay(ev);
        const Priority_t *pr = Event_getPriority(ev);
        c->rate_refs |= (tr && uses_reaction_id(m, Trigger_getMath(tr))) ||
                        (dl && uses_reaction_id(m, Delay_getMath(dl))) ||
                        (pr && uses_reaction_id(m, Priority_getMath(pr)));
        for (unsigned a = 0; a < Event_getNumEventAssignments(ev); a++)
            c->rate_refs |=
                uses_reaction_id(m, EventAssignment_getMath(Event_getEventAssignment(ev, a)));
    }
}

/* ---- initial values ---- */

/* 1 when id has an initial assignment (*math its math, which may be missing) */
static int initial_assignment(ctx *c, const char *id, const ASTNode_t **math)
{
    int j = ilnet_strmap_get(&c->init_assign, id, (size_t)-1);
    if (j < 0) return 0;
    *math = InitialAssignment_getMath(Model_getInitialAssignment(c->m, (unsigned)j));
    return 1;
}

/* 1 when math refers to something that is not a constant parameter */
static int uses_state(ctx *c, const ASTNode_t *n)
{
    if (!n) return 0;
    ASTNodeType_t t = ASTNode_getType(n);
    if (t == AST_NAME_TIME) return 1;
    if (t == AST_NAME) {
        sym *s = ilnet_sbml_lookup(c, ASTNode_getName(n));
        if (!s) return Model_getReactionById(c->m, ASTNode_getName(n)) != NULL;
        return s->kind == ILNET_SBML_SPECIES || s->assigned || s->rate_rule || s->state_init ||
               s->event_target;
    }
    for (unsigned i = 0; i < ASTNode_getNumChildren(n); i++)
        if (uses_state(c, ASTNode_getChild(n, i))) return 1;
    return 0;
}

static int index_initial_assignments(ctx *c)
{
    Model_t *m = c->m;
    for (unsigned i = 0; i < Model_getNumInitialAssignments(m); i++)
        if (InitialAssignment_getMath(Model_getInitialAssignment(m, i)) && /* else ignored */
            ilnet_strmap_put(&c->init_assign,
                             InitialAssignment_getSymbol(Model_getInitialAssignment(m, i)),
                             (int)i) < 0)
            return ilnet_error_oom();
    /* initial assignments that use the state (species, rules, time, rates) are evaluated at
     * t0 with it: such parameters become fixed species */
    for (int changed = 1; changed;) {
        changed = 0;
        for (int i = 0; i < c->nsyms; i++) {
            sym *s = &c->syms[i];
            const ASTNode_t *init;
            if (s->kind == ILNET_SBML_SPECIES || s->assigned || s->rate_rule || s->state_init ||
                s->event_target || !initial_assignment(c, s->id, &init))
                continue;
            if (uses_state(c, init)) {
                s->state_init = 1;
                changed = 1;
            }
        }
    }
    return 0;
}

/* The value a compartment or parameter declares, as text (*text, malloc'ed). */
static int declared_value(ctx *c, const sym *s, char **text)
{
    Model_t *m = c->m;
    double v;
    int set;
    if (s->kind == ILNET_SBML_COMP) {
        Compartment_t *cp = Model_getCompartmentById(m, s->id);
        set = Compartment_isSetSize(cp) || Compartment_isSetVolume(cp);
        v = Compartment_getSize(cp);
        if (!set && Compartment_getSpatialDimensionsAsDouble(cp) == 0) set = 1, v = 1;
        if (!set && SBase_getLevel((const SBase_t *)m) < 3) set = 1, v = 1;
    } else if (s->sref) { /* unset: 1, as the reaction reads it */
        v = SpeciesReference_getStoichiometry(s->sref);
        set = 1;
        if (isnan(v)) v = 1;
    } else {
        Parameter_t *p = Model_getParameterById(m, s->id);
        set = Parameter_isSetValue(p);
        v = Parameter_getValue(p);
    }
    if (!set)
        return ilnet_error_set(ILNET_EINPUT, "%s: '%s' has no value and no initial assignment",
                               c->path, s->id);
    ilnet_strbuf b = ILNET_STRBUF_INIT;
    ilnet_sbml_put_number(&b, v);
    return (*text = ilnet_strbuf_detach(&b)) ? 0 : ILNET_ENOMEM;
}

/* a compartment or parameter without an assignment rule */
static int add_parameter(ctx *c, ilnet_network *net, sym *s)
{
    const ASTNode_t *init;
    char *text = NULL, where[512];
    int rc;
    if (initial_assignment(c, s->id, &init)) {
        snprintf(where, sizeof where, "the initial assignment of '%s'", s->id);
        if (!(text = ilnet_sbml_math_text(c, init, where))) return ILNET_EINPUT;
    } else if ((rc = declared_value(c, s, &text))) {
        return rc;
    }
    /* an initial value may use species (their initial amounts): not supported */
    if (s->rate_rule || s->state_init || s->event_target) {
        /* a parameter with a rate rule is a state variable; one whose initial value depends
         * on the state, or that events change, is a fixed species (constant between
         * events) */
        rc = ilnet_network_add_species(net, s->id, text, !s->rate_rule, 0);
        s->net_species = (int)ilnet_network_species_count(net) - 1;
    } else {
        rc = ilnet_network_add_parameter(net, s->id, text, 0);
    }
    free(text);
    return rc;
}

/* a species without an assignment rule: its initial amount */
static int add_species(ctx *c, ilnet_network *net, sym *s)
{
    Species_t *sp = Model_getSpeciesById(c->m, s->id);
    const ASTNode_t *init;
    ilnet_strbuf b = ILNET_STRBUF_INIT;
    if (initial_assignment(c, s->id, &init)) {
        char where[512];
        snprintf(where, sizeof where, "the initial assignment of '%s'", s->id);
        char *v = ilnet_sbml_math_text(c, init, where);
        if (!v) return ILNET_EINPUT;
        if (s->conc)
            ilnet_strbuf_printf(&b, "(%s)*%s", v, s->comp);
        else
            ilnet_strbuf_append(&b, v);
        free(v);
    } else if (Species_isSetInitialAmount(sp)) {
        ilnet_strbuf_printf(&b, "%.17g", Species_getInitialAmount(sp));
    } else if (Species_isSetInitialConcentration(sp)) {
        ilnet_strbuf_printf(&b, "%.17g*%s", Species_getInitialConcentration(sp), s->comp);
    } else {
        return ilnet_error_set(ILNET_EINPUT, "%s: species '%s' has no initial amount", c->path,
                               s->id);
    }
    char *text = ilnet_strbuf_detach(&b);
    if (!text) return ILNET_ENOMEM;
    int fixed = (Species_getBoundaryCondition(sp) || Species_getConstant(sp)) && !s->rate_rule;
    int rc = ilnet_network_add_species(net, s->id, text, fixed, 0);
    s->net_species = (int)ilnet_network_species_count(net) - 1;
    free(text);
    return rc;
}

/* ---- rules and events ---- */

/* Terms of a weighted sum of species amounts, for an assignment rule that is one. */
typedef struct {
    int n, cap;
    int *species;
    double *w;
} lin_sum;

/* 1 added, -1 out of memory */
static int lin_add(lin_sum *L, int sp, double w)
{
    for (int i = 0; i < L->n; i++)
        if (L->species[i] == sp) {
            L->w[i] += w;
            return 1;
        }
    if (L->n == L->cap) {
        int cap = L->cap ? 2 * L->cap : 16;
        int *s = realloc(L->species, (size_t)cap * sizeof *s);
        if (s) L->species = s;
        double *w2 = realloc(L->w, (size_t)cap * sizeof *w2);
        if (w2) L->w = w2;
        if (!s || !w2) return -1;
        L->cap = cap;
    }
    L->species[L->n] = sp, L->w[L->n++] = w;
    return 1;
}

static int number(const ASTNode_t *a, double *v)
{
    ASTNodeType_t t = ASTNode_getType(a);
    if (t != AST_INTEGER && t != AST_REAL && t != AST_REAL_E && t != AST_RATIONAL) return 0;
    *v = ASTNode_getReal(a);
    return isfinite(*v);
}

/* Adds scale * a to L when a is a sum of numbers times species amounts (species whose
 * symbol means an amount, not a concentration): 1; 0 when it is anything else; -1 out of
 * memory. */
static int linear(ctx *c, const ASTNode_t *a, double scale, lin_sum *L)
{
    ASTNodeType_t t = ASTNode_getType(a);
    unsigned k = ASTNode_getNumChildren(a);
    double v;
    if (t == AST_NAME) {
        sym *s = ilnet_sbml_lookup(c, ASTNode_getName(a));
        if (!s || s->kind != ILNET_SBML_SPECIES || s->conc || s->assigned || s->net_species < 0)
            return 0;
        return lin_add(L, s->net_species, scale);
    }
    if (t == AST_PLUS) {
        for (unsigned i = 0; i < k; i++) {
            int r = linear(c, ASTNode_getChild(a, i), scale, L);
            if (r <= 0) return r;
        }
        return 1;
    }
    if (t == AST_MINUS && k == 1) return linear(c, ASTNode_getChild(a, 0), -scale, L);
    if (t == AST_MINUS && k == 2) {
        int r = linear(c, ASTNode_getChild(a, 0), scale, L);
        return r <= 0 ? r : linear(c, ASTNode_getChild(a, 1), -scale, L);
    }
    if (t == AST_TIMES && k == 2) {
        const ASTNode_t *x = ASTNode_getChild(a, 0), *y = ASTNode_getChild(a, 1);
        if (number(x, &v)) return linear(c, y, scale * v, L);
        if (number(y, &v)) return linear(c, x, scale * v, L);
    }
    return 0;
}

/* An assignment rule for a parameter that is a weighted sum of species amounts is an
 * observable (what ilnet's own export writes for BNGL observables): readable by name in
 * studies and dose responses like any model's. 1 when added as one, 0 when the rule is
 * not such a sum, negative on error. */
static int rule_observable(ctx *c, ilnet_network *net, sym *s, const ASTNode_t *math)
{
    if (s->kind == ILNET_SBML_SPECIES) return 0;
    lin_sum L = {0, 0, NULL, NULL};
    int r = linear(c, math, 1.0, &L), ok = r > 0 && L.n > 0, rc = r < 0 ? ilnet_error_oom() : 0;
    if (ok) rc = ilnet_network_add_observable(net, s->id, L.species, L.w, L.n, 0);
    free(L.species);
    free(L.w);
    return rc ? rc : ok;
}

/* assignment rules: observables (weighted sums of species) or functions; rate rules:
 * general reactions making the variable */
static int add_rule(ctx *c, ilnet_network *net, Rule_t *r)
{
    if (!Rule_getMath(r)) return 0; /* ignored (mark_rules) */
    sym *s = ilnet_sbml_lookup(c, Rule_getVariable(r));
    if (Rule_isAssignment(r)) {
        int obs = rule_observable(c, net, s, Rule_getMath(r));
        if (obs) return obs < 0 ? obs : 0;
    }
    char buf[512];
    snprintf(buf, sizeof buf, "the rule for '%s'", s->id);
    char *text = ilnet_sbml_math_text(c, Rule_getMath(r), buf);
    if (!text) return ILNET_EINPUT;
    if (Rule_isAssignment(r)) {
        int rc = ilnet_network_add_function(net, s->id, text, 0);
        free(text);
        return rc;
    }
    /* d[S]/dt = f means dn/dt = d([S] V)/dt = f*V + [S]*dV/dt for a concentration species
     * (the second term when its compartment's size has a rate rule) */
    ilnet_strbuf rate = ILNET_STRBUF_INIT;
    if (s->kind == ILNET_SBML_SPECIES && s->conc)
        ilnet_strbuf_printf(&rate, "(%s)*%s", text, s->comp);
    else
        ilnet_strbuf_append(&rate, text);
    free(text);
    sym *cp = s->kind == ILNET_SBML_SPECIES && s->conc ? ilnet_sbml_lookup(c, s->comp) : NULL;
    Rule_t *vr = cp && cp->rate_rule ? Model_getRuleByVar(c->m, cp->id) : NULL;
    if (vr) {
        snprintf(buf, sizeof buf, "the rate rule for '%s'", cp->id);
        char *dv = ilnet_sbml_math_text(c, Rule_getMath(vr), buf);
        if (!dv) {
            ilnet_strbuf_free(&rate);
            return ILNET_EINPUT;
        }
        ilnet_strbuf_printf(&rate, "+(%s/%s)*(%s)", s->id, cp->id, dv);
        free(dv);
    }
    char *law = ilnet_strbuf_detach(&rate);
    if (!law) return ILNET_ENOMEM;
    int prod = s->net_species;
    snprintf(buf, sizeof buf, "rate_rule_%s", s->id);
    int rc = ilnet_network_add_reaction_ex(net, NULL, NULL, 0, &prod, NULL, 1, law, buf, 0, 1);
    free(law);
    return rc;
}

static void free_event(ilnet_event *def)
{
    free(def->trigger);
    free(def->delay);
    free(def->priority);
    for (int a = 0; a < def->n_assign && def->assign; a++)
        free(def->assign[a].value);
    free(def->assign);
}

/* an SBML event: trigger, delay and priority as expressions; a species in concentration
 * semantics receives value * its compartment's size at execution (before the event's own
 * assignments: SBML test 01779) */
static int add_event(ctx *c, ilnet_network *net, Event_t *ev, unsigned index)
{
    char name[300], where[400];
    const char *id = Event_getId(ev);
    if (id && *id)
        snprintf(name, sizeof name, "%s", id);
    else
        snprintf(name, sizeof name, "event%u", index + 1);
    const Trigger_t *tr = Event_getTrigger(ev);
    if (!tr || !Trigger_getMath(tr)) return 0; /* SBML L3V2: no trigger math, never fires */
    unsigned na = Event_getNumEventAssignments(ev), nm = 0;
    for (unsigned a = 0; a < na; a++) /* an assignment without math is ignored (L3V2) */
        nm += EventAssignment_getMath(Event_getEventAssignment(ev, a)) != NULL;
    ilnet_event def = {0};
    def.name = name;
    def.n_assign = (int)nm;
    def.assign = calloc(na + 1, sizeof *def.assign);
    int rc = def.assign ? 0 : ilnet_error_oom();
    int l3 = SBase_getLevel((const SBase_t *)c->m) >= 3;
    /* Level 2: initialValue and persistent do not exist and behave as true */
    def.initial_value = l3 ? Trigger_getInitialValue(tr) : 1;
    def.persistent = l3 ? Trigger_getPersistent(tr) : 1;
    def.use_trigger_values =
        Event_isSetUseValuesFromTriggerTime(ev) ? Event_getUseValuesFromTriggerTime(ev) : 1;
    if (!rc) {
        snprintf(where, sizeof where, "the trigger of event '%s'", name);
        if (!(def.trigger = ilnet_sbml_math_text(c, Trigger_getMath(tr), where))) rc = ILNET_EINPUT;
    }
    const Delay_t *dl = Event_getDelay(ev);
    if (!rc && dl && Delay_getMath(dl)) {
        snprintf(where, sizeof where, "the delay of event '%s'", name);
        if (!(def.delay = ilnet_sbml_math_text(c, Delay_getMath(dl), where))) rc = ILNET_EINPUT;
    }
    const Priority_t *pr = Event_getPriority(ev);
    if (!rc && pr && Priority_getMath(pr)) {
        snprintf(where, sizeof where, "the priority of event '%s'", name);
        if (!(def.priority = ilnet_sbml_math_text(c, Priority_getMath(pr), where)))
            rc = ILNET_EINPUT;
    }
    for (unsigned a = 0, k = 0; a < na && !rc; a++) {
        EventAssignment_t *ea = Event_getEventAssignment(ev, a);
        if (!EventAssignment_getMath(ea)) continue;
        sym *s = ilnet_sbml_lookup(c, EventAssignment_getVariable(ea));
        snprintf(where, sizeof where, "the assignment to '%s' of event '%s'", s->id, name);
        def.assign[k].target = (char *)s->id;
        if (!(def.assign[k].value = ilnet_sbml_math_text(c, EventAssignment_getMath(ea), where)))
            rc = ILNET_EINPUT;
        if (s->kind == ILNET_SBML_SPECIES && s->conc) def.assign[k].scale = (char *)s->comp;
        k++;
    }
    if (!rc) rc = ilnet_network_add_event(net, &def);
    free_event(&def);
    return rc;
}

/* ---- output symbols ---- */

static int sym_out(ilnet_sbml_symbols *o, const char *id, const char *amount, const char *conc,
                   int species, int amount_default)
{
    int *fl = realloc(o->species, (size_t)(o->n + 1) * sizeof *fl);
    if (fl) o->species = fl;
    int *ad = realloc(o->amount_default, (size_t)(o->n + 1) * sizeof *ad);
    if (ad) o->amount_default = ad;
    int *rx = realloc(o->reaction, (size_t)(o->n + 1) * sizeof *rx);
    if (rx) o->reaction = rx;
    if (!fl || !ad || !rx) return ilnet_error_oom();
    o->species[o->n] = species;
    o->amount_default[o->n] = amount_default;
    o->reaction[o->n] = !strncmp(amount, "flux(", 5) && !species;
    char **a = realloc(o->id, (size_t)(o->n + 1) * sizeof *a);
    if (a) o->id = a;
    char **b = realloc(o->amount, (size_t)(o->n + 1) * sizeof *b);
    if (b) o->amount = b;
    char **cc = realloc(o->conc, (size_t)(o->n + 1) * sizeof *cc);
    if (cc) o->conc = cc;
    if (!a || !b || !cc) return ilnet_error_oom();
    o->id[o->n] = strdup(id);
    o->amount[o->n] = strdup(amount);
    o->conc[o->n] = strdup(conc);
    if (!o->id[o->n] || !o->amount[o->n] || !o->conc[o->n]) {
        free(o->id[o->n]);
        free(o->amount[o->n]);
        free(o->conc[o->n]);
        return ilnet_error_oom();
    }
    o->n++;
    return 0;
}

/* output symbols: amount and concentration of species, value of the rest, a reaction's
 * flux; the species' are recorded in the network too (readouts' amount() and
 * concentration()). Symbol texts are readouts (model/readout.h), not plain expressions. */
static int output_symbols(ctx *c, ilnet_network *net, ilnet_sbml_symbols *out)
{
    int rc = 0;
    for (int i = 0; i < c->nsyms && !rc; i++) {
        sym *s = &c->syms[i];
        int species = s->kind == ILNET_SBML_SPECIES;
        char a[600], q[600];
        if (species && s->assigned) {
            snprintf(a, sizeof a, s->conc ? "%s*%s" : "%s", s->id, s->comp);
            snprintf(q, sizeof q, s->conc ? "%s" : "%s/%s", s->id, s->comp);
        } else if (species) {
            snprintf(a, sizeof a, "%s", s->id);
            snprintf(q, sizeof q, "%s/%s", s->id, s->comp);
        } else {
            snprintf(a, sizeof a, "%s", s->id);
            snprintf(q, sizeof q, "%s", s->id);
        }
        if (species) rc = ilnet_network_add_quantity(net, s->id, a, q);
        if (!rc && out) rc = sym_out(out, s->id, a, q, species, !(species && s->conc));
    }
    /* a reaction's id: its flux (readout call, model/readout.h) */
    for (unsigned i = 0; out && !rc && i < Model_getNumReactions(c->m); i++) {
        const char *id = Reaction_getId(Model_getReaction(c->m, i));
        char f[600];
        if (!id || ilnet_sbml_symbol_find(out, id) >= 0) continue;
        snprintf(f, sizeof f, "flux(%s)", id);
        rc = sym_out(out, id, f, f, 0, 1);
    }
    return rc;
}

/* ---- the model ---- */

/* what each symbol is and what changes it; the checks that need no math translated */
static int analyse(ctx *c)
{
    int rc;
    if ((rc = declare_symbols(c)) || (rc = mark_rules(c)) || (rc = mark_event_targets(c)) ||
        (rc = check_unsupported(c)))
        return rc;
    find_rate_refs(c);
    return index_initial_assignments(c);
}

/* The name in <ilnet:species name="..."/> (ILNET_SBML_NS) of an annotation, unescaped
 * (caller frees), or NULL. */
static char *annotated_name(const char *ann)
{
    const char *at = strstr(ann, ILNET_SBML_NS);
    at = at ? strstr(at, "name=\"") : NULL;
    if (!at) return NULL;
    at += 6;
    const char *end = strchr(at, '"');
    char *out = end ? malloc((size_t)(end - at) + 1) : NULL;
    if (!out) return NULL;
    size_t n = 0;
    static const char *const ent[][2] = {
        {"&amp;", "&"}, {"&lt;", "<"}, {"&gt;", ">"}, {"&quot;", "\""}, {"&apos;", "'"}};
    for (const char *p = at; p < end;) {
        size_t k = 0;
        while (k < 5 && strncmp(p, ent[k][0], strlen(ent[k][0])))
            k++;
        if (k < 5)
            out[n++] = ent[k][1][0], p += strlen(ent[k][0]);
        else
            out[n++] = *p++;
    }
    out[n] = '\0';
    return out;
}

/* Species labels from the annotations ilnet's export writes (the BioNetGen names of species
 * exported as S<n>); one that would clash with another species' name is left out. */
static void species_labels(ctx *c, ilnet_network *net)
{
    for (int i = 0; i < c->nsyms; i++) {
        sym *s = &c->syms[i];
        if (s->kind != ILNET_SBML_SPECIES || s->net_species < 0) continue;
        Species_t *sp = Model_getSpeciesById(c->m, s->id);
        char *ann = sp && SBase_isSetAnnotation((SBase_t *)sp)
                        ? SBase_getAnnotationString((SBase_t *)sp)
                        : NULL;
        char *label = ann ? annotated_name(ann) : NULL;
        if (label && strcmp(label, s->id) &&
            ilnet_network_set_species_label(net, (size_t)s->net_species, label))
            ilnet_error_clear();
        free(label);
        free(ann);
    }
}

int ilnet_sbml_import(ctx *c, ilnet_network *net, ilnet_sbml_symbols *out)
{
    Model_t *m = c->m;
    int rc = analyse(c);
    /* compartments and parameters: constant ones are network parameters */
    for (int i = 0; i < c->nsyms && !rc; i++)
        if (c->syms[i].kind != ILNET_SBML_SPECIES && !c->syms[i].assigned)
            rc = add_parameter(c, net, &c->syms[i]);
    for (int i = 0; i < c->nsyms && !rc; i++)
        if (c->syms[i].kind == ILNET_SBML_SPECIES && !c->syms[i].assigned)
            rc = add_species(c, net, &c->syms[i]);
    if (!rc) species_labels(c, net);
    for (unsigned i = 0; i < Model_getNumRules(m) && !rc; i++)
        rc = add_rule(c, net, Model_getRule(m, i));
    if (!rc) rc = ilnet_sbml_add_reactions(c, net);
    for (unsigned i = 0; i < Model_getNumEvents(m) && !rc; i++)
        rc = add_event(c, net, Model_getEvent(m, i), i);
    if (!rc) rc = output_symbols(c, net, out);
    return rc;
}
