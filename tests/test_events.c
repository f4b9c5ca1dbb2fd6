/* Events against closed forms (A decays, dA/dt = -k A):
 *   reset    A < 0.5 -> A := 1: fires at n ln(2)/k; between firings A = exp(-k (t - t_n))
 *   delay    time >= 1, delay 2: B := A with values from the trigger time (exp(-k)) and
 *            C := A from the execution time (exp(-3k)), both at t = 3
 *   priority two events on time >= 2 setting X := 1 and X := X + 1: the higher priority
 *            executes first, whatever the declaration order (X = 2 or 1)
 *   persist  A > 0.5 true at t0 (initial value false), delay 2, turns false at ln(2)/k < 2:
 *            executes only when persistent
 *   cascade  an event whose assignment makes another trigger true: both at the same time
 *   t0       a trigger already true at t0 fires there (initial value false) and row 0
 *            shows its effect; with initial value true it does not fire
 *   strict   time > 2 with an output row at 2: fires at 2, the row shows it
 *   equality A == 0.5 fires once, at ln(2)/k
 *   function trigger "low" with low = if(A < 0.5, 1, 0): fires at ln(2)/k
 *   sbml     through the SBML importer: S1 (concentration 2 in C1 = 0.5) decays at k; at
 *            t = 1 one event sets [S1] := 0.2 and C1 := 0.2 (the amount is 0.2 times the size
 *            before the event, 0.1: SBML test 01779); at 2 parameter p := p - 1 (from -1);
 *            when [S1] < 0.05 (t = 1 + ln(10)/k) C1 doubles 0.5 later, amount unchanged */
#include "check.h"

#include "common/error.h"
#include "model/sbml/sbml.h"
#include "solver/solver.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const double k = 0.7;

/* A (decaying at k) plus fixed species B, C, X, all amounts */
static ilnet_network *decay(double a0)
{
    ilnet_network *net = NULL;
    char text[64];
    snprintf(text, sizeof text, "%.17g", a0);
    int a = 0;
    int rc = ilnet_network_new(&net);
    if (!rc) rc = ilnet_network_add_parameter(net, "k", "0.7", 0);
    if (!rc) rc = ilnet_network_add_species(net, "A", text, 0, 0);
    if (!rc) rc = ilnet_network_add_species(net, "B", "0", 1, 0);
    if (!rc) rc = ilnet_network_add_species(net, "C", "0", 1, 0);
    if (!rc) rc = ilnet_network_add_species(net, "X", "0", 1, 0);
    if (!rc) rc = ilnet_network_add_reaction(net, &a, 1, NULL, 0, "k", NULL, 0);
    CHECK(rc == 0, "%s", ilnet_error_last());
    return net;
}

static void add_event(ilnet_network *net, const char *name, const char *trigger, const char *delay,
                      const char *priority, int initial, int persistent, int use_trigger,
                      const char *target, const char *value)
{
    ilnet_event_assignment as = {(char *)target, (char *)value, NULL};
    ilnet_event e = {0};
    e.name = (char *)name;
    e.trigger = (char *)trigger;
    e.delay = (char *)delay;
    e.priority = (char *)priority;
    e.initial_value = initial;
    e.persistent = persistent;
    e.use_trigger_values = use_trigger;
    e.n_assign = 1;
    e.assign = &as;
    CHECK(ilnet_network_add_event(net, &e) == 0, "%s", ilnet_error_last());
}

/* runs net over n+1 equally spaced rows to t_end; res must be freed */
static int run(ilnet_network *net, ilnet_result *res, double t_end, size_t n, ilnet_linsol ls)
{
    CHECK(ilnet_network_compile(net) == 0, "%s", ilnet_error_last());
    ilnet_solver_options so = ILNET_SOLVER_OPTIONS_INIT;
    so.atol = 1e-12;
    so.rtol = 1e-10;
    so.linsol = ls;
    ilnet_solver *s = NULL;
    int rc = ilnet_solver_new(&s, net, &so);
    CHECK(rc == 0, "%s", ilnet_error_last());
    if (rc) return rc;
    rc = ilnet_result_init(res, net, n + 1);
    if (!rc) {
        ilnet_result_linear_times(res, 0, t_end);
        rc = ilnet_solver_run(s, res, NULL);
        CHECK(rc == 0, "%s", ilnet_error_last());
        /* a second run on the same solver gives the same result (state reset) */
        size_t fired = res->n_fired;
        double last = res->species[(res->n_done - 1) * res->n_species];
        if (!rc) rc = ilnet_solver_run(s, res, NULL);
        CHECK(res->n_fired == fired && res->species[(res->n_done - 1) * res->n_species] == last,
              "second run differs");
    }
    ilnet_solver_free(s);
    return rc;
}

static double at(const ilnet_result *res, size_t row, size_t species)
{
    return res->species[row * res->n_species + species];
}

static void test_reset(ilnet_linsol ls)
{
    ilnet_network *net = decay(1);
    add_event(net, "reset", "A < 0.5", NULL, NULL, 1, 1, 1, "A", "1");
    double period = log(2) / k, t_end = 3.5 * period;
    ilnet_result res = {0};
    if (net && !run(net, &res, t_end, 200, ls)) {
        CHECK(res.n_fired == 3, "%zu firings", res.n_fired);
        for (size_t i = 0; i < res.n_fired; i++)
            CHECK_CLOSE(res.fired_time[i], (double)(i + 1) * period, 1e-8, 0);
        for (size_t r = 0; r < res.n_done; r++) {
            double t = res.times[r], since = t - floor(t / period) * period;
            /* rows within a hair of a firing may show either side */
            if (fabs(since) < 1e-6 || fabs(since - period) < 1e-6) continue;
            CHECK_CLOSE(at(&res, r, 0), exp(-k * since), 1e-7, 1e-12);
        }
    }
    ilnet_result_free(&res);
    ilnet_network_free(net);
}

static void test_delay(void)
{
    ilnet_network *net = decay(1);
    add_event(net, "trigger_values", "time >= 1", "2", NULL, 1, 1, 1, "B", "A");
    add_event(net, "execution_values", "time >= 1", "2", NULL, 1, 1, 0, "C", "A");
    ilnet_result res = {0};
    if (net && !run(net, &res, 4, 40, ILNET_LINSOL_DENSE)) {
        CHECK(res.n_fired == 2, "%zu firings", res.n_fired);
        for (size_t i = 0; i < res.n_fired; i++)
            CHECK_CLOSE(res.fired_time[i], 3.0, 1e-12, 0);
        for (size_t r = 0; r < res.n_done; r++) {
            double t = res.times[r];
            CHECK_CLOSE(at(&res, r, 0), exp(-k * t), 1e-7, 1e-12);
            CHECK_CLOSE(at(&res, r, 1), t >= 3 ? exp(-k) : 0, 1e-7, 1e-12);
            CHECK_CLOSE(at(&res, r, 2), t >= 3 ? exp(-3 * k) : 0, 1e-7, 1e-12);
        }
    }
    ilnet_result_free(&res);
    ilnet_network_free(net);
}

static void test_priority(int hi_sets_one)
{
    ilnet_network *net = decay(1);
    /* declared low priority first, so the order is the priorities' doing */
    add_event(net, "low", "time >= 2", NULL, "1", 1, 1, 0, "X", hi_sets_one ? "X + 1" : "1");
    add_event(net, "high", "time >= 2", NULL, "10", 1, 1, 0, "X", hi_sets_one ? "1" : "X + 1");
    ilnet_result res = {0};
    if (net && !run(net, &res, 3, 3, ILNET_LINSOL_DENSE)) {
        CHECK(res.n_fired == 2, "%zu firings", res.n_fired);
        if (res.n_fired == 2)
            CHECK(res.fired_event[0] == 1 && res.fired_event[1] == 0, "order %d %d",
                  res.fired_event[0], res.fired_event[1]);
        CHECK(at(&res, 1, 3) == 0, "X before the events: %g", at(&res, 1, 3));
        CHECK(at(&res, 2, 3) == (hi_sets_one ? 2 : 1), "X = %g", at(&res, 2, 3));
    }
    ilnet_result_free(&res);
    ilnet_network_free(net);
}

static void test_persistent(int persistent)
{
    ilnet_network *net = decay(1);
    add_event(net, "late", "A > 0.5", "2", NULL, 0, persistent, 1, "B", "1");
    ilnet_result res = {0};
    if (net && !run(net, &res, 3, 3, ILNET_LINSOL_DENSE)) {
        CHECK(res.n_fired == (size_t)persistent, "%zu firings", res.n_fired);
        CHECK(at(&res, 3, 1) == persistent, "B = %g", at(&res, 3, 1));
    }
    ilnet_result_free(&res);
    ilnet_network_free(net);
}

static void test_cascade(void)
{
    ilnet_network *net = decay(1);
    add_event(net, "first", "A < 0.5", NULL, NULL, 1, 1, 1, "B", "1");
    add_event(net, "second", "B > 0.5", NULL, NULL, 1, 1, 1, "C", "A");
    ilnet_result res = {0};
    if (net && !run(net, &res, 2, 2, ILNET_LINSOL_DENSE)) {
        CHECK(res.n_fired == 2, "%zu firings", res.n_fired);
        for (size_t i = 0; i < res.n_fired; i++)
            CHECK_CLOSE(res.fired_time[i], log(2) / k, 1e-8, 0);
        CHECK_CLOSE(at(&res, 2, 2), 0.5, 1e-7, 0);
    }
    ilnet_result_free(&res);
    ilnet_network_free(net);
}

static void test_t0(int initial)
{
    ilnet_network *net = decay(1);
    add_event(net, "start", "A >= 1", NULL, NULL, initial, 1, 1, "X", "5");
    ilnet_result res = {0};
    if (net && !run(net, &res, 1, 1, ILNET_LINSOL_DENSE)) {
        CHECK(res.n_fired == (size_t)!initial, "%zu firings", res.n_fired);
        CHECK(at(&res, 0, 3) == (initial ? 0 : 5), "X at t0 = %g", at(&res, 0, 3));
    }
    ilnet_result_free(&res);
    ilnet_network_free(net);
}

/* a strict comparison that becomes true at an output time, where CVODE stops exactly:
 * the event executes there (it is true just after), and the row shows its effect */
static void test_strict(const char *trigger, double when)
{
    ilnet_network *net = decay(1);
    add_event(net, "strict", trigger, NULL, NULL, 1, 1, 1, "X", "X + 1");
    ilnet_result res = {0};
    if (net && !run(net, &res, 4, 4, ILNET_LINSOL_DENSE)) {
        CHECK(res.n_fired == 1, "%s: %zu firings", trigger, res.n_fired);
        if (res.n_fired) CHECK_CLOSE(res.fired_time[0], when, 1e-9, 0);
        for (size_t r = 0; r < res.n_done; r++)
            CHECK(at(&res, r, 3) == (res.times[r] >= when - 1e-9 ? 1 : 0), "%s: X = %g at t = %g",
                  trigger, at(&res, r, 3), res.times[r]);
    }
    ilnet_result_free(&res);
    ilnet_network_free(net);
}

static const char sbml_model[] =
    "<?xml version='1.0' encoding='UTF-8'?>\n"
    "<sbml xmlns='http://www.sbml.org/sbml/level3/version2/core' level='3' version='2'>\n"
    "<model id='events'>\n"
    "<listOfCompartments><compartment id='C1' spatialDimensions='3' size='0.5' "
    "constant='false'/></listOfCompartments>\n"
    "<listOfSpecies><species id='S1' compartment='C1' initialConcentration='2' "
    "hasOnlySubstanceUnits='false' boundaryCondition='false' constant='false'/></listOfSpecies>\n"
    "<listOfParameters><parameter id='k' value='0.5' constant='true'/>"
    "<parameter id='p' value='-1' constant='false'/></listOfParameters>\n"
    "<listOfReactions><reaction id='R' reversible='false'><listOfReactants>"
    "<speciesReference species='S1' stoichiometry='1' constant='true'/></listOfReactants>"
    "<kineticLaw><math xmlns='http://www.w3.org/1998/Math/MathML'><apply><times/><ci>k</ci>"
    "<ci>S1</ci><ci>C1</ci></apply></math></kineticLaw></reaction></listOfReactions>\n"
    "<listOfEvents>\n"
    "<event id='shrink' useValuesFromTriggerTime='true'><trigger initialValue='true' "
    "persistent='true'><math xmlns='http://www.w3.org/1998/Math/MathML'><apply><geq/>"
    "<csymbol encoding='text' definitionURL='http://www.sbml.org/sbml/symbols/time'>t</csymbol>"
    "<cn>1</cn></apply></math></trigger><listOfEventAssignments>"
    "<eventAssignment variable='S1'><math xmlns='http://www.w3.org/1998/Math/MathML'><cn>0.2</cn>"
    "</math></eventAssignment><eventAssignment variable='C1'>"
    "<math xmlns='http://www.w3.org/1998/Math/MathML'><cn>0.2</cn></math></eventAssignment>"
    "</listOfEventAssignments></event>\n"
    "<event id='lower' useValuesFromTriggerTime='true'><trigger initialValue='true' "
    "persistent='true'><math xmlns='http://www.w3.org/1998/Math/MathML'><apply><geq/>"
    "<csymbol encoding='text' definitionURL='http://www.sbml.org/sbml/symbols/time'>t</csymbol>"
    "<cn>2</cn></apply></math></trigger><listOfEventAssignments>"
    "<eventAssignment variable='p'><math xmlns='http://www.w3.org/1998/Math/MathML'><apply>"
    "<minus/><ci>p</ci><cn>1</cn></apply></math></eventAssignment>"
    "</listOfEventAssignments></event>\n"
    "<event id='grow' useValuesFromTriggerTime='false'><trigger initialValue='true' "
    "persistent='true'><math xmlns='http://www.w3.org/1998/Math/MathML'><apply><lt/><ci>S1</ci>"
    "<cn>0.05</cn></apply></math></trigger><delay><math "
    "xmlns='http://www.w3.org/1998/Math/MathML'><cn>0.5</cn></math></delay>"
    "<listOfEventAssignments><eventAssignment variable='C1'>"
    "<math xmlns='http://www.w3.org/1998/Math/MathML'><apply><times/><ci>C1</ci><cn>2</cn>"
    "</apply></math></eventAssignment></listOfEventAssignments></event>\n"
    "</listOfEvents></model></sbml>\n";

static void test_sbml(void)
{
    char path[] = "/tmp/ilnet_events_XXXXXX.xml";
    int fd = mkstemps(path, 4);
    CHECK(fd >= 0, "cannot create %s", path);
    if (fd < 0) return;
    FILE *f = fdopen(fd, "w");
    fputs(sbml_model, f);
    fclose(f);
    ilnet_network *net = NULL;
    int rc = ilnet_sbml_read(&net, NULL, path, NULL);
    remove(path);
    CHECK(rc == 0, "%s", ilnet_error_last());
    if (rc) return;
    const double kk = 0.5, t_low = 1 + log(10) / kk, t_grow = t_low + 0.5;
    int s1 = ilnet_network_find_species(net, "S1"), c1 = ilnet_network_find_species(net, "C1");
    int p = ilnet_network_find_species(net, "p");
    CHECK(s1 >= 0 && c1 >= 0 && p >= 0, "S1, C1 and p are state variables");
    ilnet_result res = {0};
    if (s1 >= 0 && c1 >= 0 && p >= 0 && !run(net, &res, 8, 80, ILNET_LINSOL_DENSE)) {
        CHECK(res.n_fired == 3, "%zu firings", res.n_fired);
        if (res.n_fired == 3) CHECK_CLOSE(res.fired_time[2], t_grow, 1e-7, 0);
        for (size_t r = 0; r < res.n_done; r++) {
            double t = res.times[r];
            double n = t < 1 ? exp(-kk * t) : 0.1 * exp(-kk * (t - 1));
            double v = t < 1 ? 0.5 : t < t_grow ? 0.2 : 0.4;
            CHECK_CLOSE(at(&res, r, (size_t)s1), n, 1e-7, 1e-13);
            CHECK(at(&res, r, (size_t)c1) == v, "C1 = %g at t = %g", at(&res, r, (size_t)c1), t);
            CHECK(at(&res, r, (size_t)p) == (t < 2 ? -1 : -2), "p = %g at t = %g",
                  at(&res, r, (size_t)p), t);
        }
    }
    ilnet_result_free(&res);
    ilnet_network_free(net);
}

/* an equality of continuous quantities holds at an instant: the root where they cross */
static void test_equality(void)
{
    ilnet_network *net = decay(1);
    add_event(net, "half", "A == 0.5", NULL, NULL, 1, 1, 1, "X", "X + 1");
    ilnet_result res = {0};
    if (net && !run(net, &res, 2, 2, ILNET_LINSOL_DENSE)) {
        CHECK(res.n_fired == 1, "%zu firings", res.n_fired);
        if (res.n_fired) CHECK_CLOSE(res.fired_time[0], log(2) / k, 1e-8, 0);
    }
    ilnet_result_free(&res);
    ilnet_network_free(net);
}

/* a trigger with no comparison of its own, true through a function's: the function's
 * comparison is a root function too, so the firing is at ln(2)/k, not at an output time */
static void test_function_trigger(void)
{
    ilnet_network *net = decay(1);
    CHECK(ilnet_network_add_function(net, "low", "if(A < 0.5, 1, 0)", 0) == 0, "%s",
          ilnet_error_last());
    add_event(net, "via_function", "low", NULL, NULL, 1, 1, 1, "X", "X + 1");
    ilnet_result res = {0};
    if (net && !run(net, &res, 2, 2, ILNET_LINSOL_DENSE)) {
        CHECK(res.n_fired == 1, "%zu firings", res.n_fired);
        if (res.n_fired) CHECK_CLOSE(res.fired_time[0], log(2) / k, 1e-8, 0);
    }
    ilnet_result_free(&res);
    ilnet_network_free(net);
}

static void test_errors(void)
{
    ilnet_network *net = decay(1);
    add_event(net, "bad", "A < 0.5", NULL, NULL, 1, 1, 1, "k", "1");
    CHECK(ilnet_network_compile(net) == ILNET_EINPUT, "assignment to a parameter accepted");
    CHECK(strstr(ilnet_error_last(), "'bad'") && strstr(ilnet_error_last(), "not a species"),
          "message: %s", ilnet_error_last());
    ilnet_network_free(net);
    net = decay(1);
    add_event(net, "undefined", "A < q", NULL, NULL, 1, 1, 1, "A", "1");
    CHECK(ilnet_network_compile(net) == ILNET_EINPUT, "undefined name accepted");
    CHECK(strstr(ilnet_error_last(), "'undefined'") && strstr(ilnet_error_last(), "trigger"),
          "message: %s", ilnet_error_last());
    ilnet_network_free(net);
}

int main(void)
{
    test_reset(ILNET_LINSOL_DENSE);
    test_reset(ILNET_LINSOL_KLU);
    test_delay();
    test_priority(1);
    test_priority(0);
    test_persistent(1);
    test_persistent(0);
    test_cascade();
    test_t0(0);
    test_t0(1);
    test_strict("time > 2", 2);
    test_strict("2 < time", 2);
    test_strict("time >= 2", 2);
    test_strict("and(X < 1, time > 2.5)", 2.5);
    test_equality();
    test_function_trigger();
    test_sbml();
    test_errors();
    CHECK_DONE();
}
