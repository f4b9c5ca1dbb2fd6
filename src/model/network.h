/* A mass-action reaction network: parameters, species, reactions, observables.
 *
 * Build it element by element (the .net reader and later compilers do), then call
 * ilnet_network_compile(), which resolves every expression, evaluates parameters in
 * dependency order, and checks amounts and rate constants. Rate of a reaction =
 * k * product of reactant amounts, each repeat counted (BioNetGen's convention:
 * statistical factors are already part of k). */
#ifndef ILNET_NETWORK_H
#define ILNET_NETWORK_H

#include <stddef.h>

typedef struct ilnet_expr ilnet_expr;

typedef struct {
    char *name;
    char *text; /* expression as written */
    double value;
    int line;
} ilnet_parameter;

typedef struct {
    char *name;
    char *label;       /* a name to show and accept besides name (SBML written by ilnet: the
                        * BioNetGen name of species S<n>), or NULL */
    char *amount_text; /* initial amount expression as written */
    double initial;
    int fixed; /* amount held constant ($ in BioNetGen) */
    int line;
} ilnet_species;

typedef struct {
    char *name;  /* unique: "R<n>" with n the 1-based index */
    char *label; /* rule label as written (e.g. "_R3"), may be NULL */
    int n_reactants, n_products;
    int *reactants, *products; /* species indices, repeats allowed */
    double *rcoef, *pcoef;     /* stoichiometric coefficients (NULL: 1 for each entry) */
    char *rate_text;
    double k;
    int general; /* 1: rate_text is the whole velocity (reactants give stoichiometry only) */
    int line;
} ilnet_reaction;

/* A global function (BioNetGen's functions block): an expression over parameters,
 * observables, other functions and time(). Used as a rate law, it replaces the rate
 * constant and is re-evaluated whenever the state changes. */
typedef struct {
    char *name;
    char *text;
    int line;
} ilnet_function;

typedef struct {
    char *name;
    int n_terms;
    int *species;
    double *weights;
    int line;
    char *definition; /* as the model wrote it (BNGL: "Molecules S5(y~p)"), or NULL */
} ilnet_observable;

/* An event (SBML semantics): when the trigger changes from false (0) to true (nonzero),
 * the event is scheduled delay time units later (at once without a delay) and, when it
 * executes, sets each target species to value (times scale, see below). Expressions are
 * over the variable vector (parameters, observables, functions, time, species by name).
 * The trigger's comparisons are the solver's root functions. */
typedef struct {
    char *target; /* a species: events change only the state (species amounts) */
    char *value;
    /* NULL, or an expression evaluated at execution, before any of the event's assignments
     * is written; the target then holds value * scale (SBML: a concentration times its
     * compartment's size, the size before a simultaneous assignment to it: SBML test 01779) */
    char *scale;
} ilnet_event_assignment;

typedef struct {
    char *name;
    char *trigger;
    char *delay;            /* NULL: none */
    char *priority;         /* NULL: none (lower than any priority) */
    int initial_value;      /* trigger value taken before the start time (0: true at t0 fires) */
    int persistent;         /* 0: cancelled when the trigger turns false before execution */
    int use_trigger_values; /* 1: values computed at the trigger time, 0: at execution */
    int n_assign;
    ilnet_event_assignment *assign;
    int line;
    /* after compile */
    ilnet_expr *trigger_expr, *delay_expr, *priority_expr;
    ilnet_expr **value_expr, **scale_expr; /* per assignment (scale_expr entries may be NULL) */
    int *target_species;                   /* per assignment */
} ilnet_event;

/* Net stoichiometry, compressed sparse column (one column per reaction); rows of fixed
 * species are left out because their amounts never change. */
typedef struct {
    int n_rows, n_cols;
    int *col_ptr; /* n_cols + 1 */
    int *row;     /* nnz */
    double *val;  /* nnz */
} ilnet_stoich;

typedef struct ilnet_network ilnet_network;

int ilnet_network_new(ilnet_network **out);
void ilnet_network_free(ilnet_network *net);

/* Where the model came from; used to prefix error messages with "file:line". */
int ilnet_network_set_source(ilnet_network *net, const char *path, const char *text);
const char *ilnet_network_source_path(const ilnet_network *net);
const char *ilnet_network_source_text(const ilnet_network *net);

/* Adders copy their strings. line is the source line (0 when not from a file).
 * Duplicate names are rejected with ILNET_EINPUT. Indices are 0-based. */
int ilnet_network_add_parameter(ilnet_network *net, const char *name, const char *expr, int line);
int ilnet_network_add_species(ilnet_network *net, const char *name, const char *amount_expr,
                              int fixed, int line);
int ilnet_network_add_reaction(ilnet_network *net, const int *reactants, int n_reactants,
                               const int *products, int n_products, const char *rate_expr,
                               const char *label, int line);
/* A reaction with real stoichiometric coefficients (rcoef/pcoef may be NULL for 1s). With
 * general = 1 the rate expression is the reaction's whole velocity and may refer to species
 * by name (their amounts); otherwise it is the mass-action rate constant. */
int ilnet_network_add_reaction_ex(ilnet_network *net, const int *reactants, const double *rcoef,
                                  int n_reactants, const int *products, const double *pcoef,
                                  int n_products, const char *rate_expr, const char *label,
                                  int line, int general);
/* Records how the model defined observable k (shown by ilnet info; NULL clears it). */
int ilnet_network_set_observable_definition(ilnet_network *net, size_t k, const char *text);
int ilnet_network_add_observable(ilnet_network *net, const char *name, const int *species,
                                 const double *weights, int n_terms, int line);

/* expr may call time() and refer to parameters, observables and functions (with or
 * without "()"). Reaction rate expressions may refer to functions the same way. */
int ilnet_network_add_function(ilnet_network *net, const char *name, const char *expr, int line);

/* Copies the event (strings and assignments; the compiled fields are ignored). */
int ilnet_network_add_event(ilnet_network *net, const ilnet_event *def);
size_t ilnet_network_event_count(const ilnet_network *net);
const ilnet_event *ilnet_network_event(const ilnet_network *net, size_t i);

/* Lets parameters evaluate to infinity or NaN (SBML allows them); rates and initial amounts
 * must still be finite. */
void ilnet_network_allow_nonfinite(ilnet_network *net, int allow);
/* 1 after allow_nonfinite: species may also start negative (SBML parameters that rate rules
 * or events change are held as species). */
int ilnet_network_allows_negative(const ilnet_network *net);

/* Resolves and evaluates everything; on failure names the element and its line. */
int ilnet_network_compile(ilnet_network *net);
/* Sets a base parameter's value and re-evaluates everything that depends on it
 * (derived parameters, rate constants, initial amounts). Needs a compiled network. */
int ilnet_network_set_parameter(ilnet_network *net, const char *name, double value);
/* Whether parameter i was set by ilnet_network_set_parameter (it then no longer follows
 * its defining expression). */
int ilnet_network_parameter_is_set(const ilnet_network *net, size_t i);
/* Undoes ilnet_network_set_parameter: the parameter follows its expression again and
 * everything that depends on it is re-evaluated. */
int ilnet_network_unset_parameter(ilnet_network *net, const char *name);
/* Replaces species i's initial-amount expression; takes effect at the next compile. */
int ilnet_network_set_species_amount(ilnet_network *net, size_t i, const char *expr);
/* Holds species i constant (fixed = 1) or lets it change; rebuilds the stoichiometry.
 * Needs a compiled network; solvers created before do not see the change. */
int ilnet_network_set_fixed(ilnet_network *net, size_t i, int fixed);

size_t ilnet_network_parameter_count(const ilnet_network *net);
size_t ilnet_network_species_count(const ilnet_network *net);
size_t ilnet_network_reaction_count(const ilnet_network *net);
size_t ilnet_network_observable_count(const ilnet_network *net);
const ilnet_parameter *ilnet_network_parameter(const ilnet_network *net, size_t i);
const ilnet_species *ilnet_network_species(const ilnet_network *net, size_t i);
const ilnet_reaction *ilnet_network_reaction(const ilnet_network *net, size_t i);
const ilnet_observable *ilnet_network_observable(const ilnet_network *net, size_t i);
size_t ilnet_network_function_count(const ilnet_network *net);
const ilnet_function *ilnet_network_function(const ilnet_network *net, size_t i);

/* Lookup by name: index, or -1 when absent. */
typedef enum {
    ILNET_NAME_PARAMETER,
    ILNET_NAME_SPECIES,
    ILNET_NAME_OBSERVABLE,
    ILNET_NAME_FUNCTION
} ilnet_name_kind;
/* " (did you mean 'X'?)" into buf for the model's name of this kind closest to an unknown
 * name (common/suggest.h), or "" when none is close; returns buf. */
const char *ilnet_network_did_you_mean(const ilnet_network *net, ilnet_name_kind kind,
                                       const char *name, char *buf, size_t size);
int ilnet_network_find_parameter(const ilnet_network *net, const char *name);
/* By name, or else by label. */
int ilnet_network_find_species(const ilnet_network *net, const char *name);
/* The same, or else (a BioNetGen name) with the components of its molecules in any order:
 * a scan of every species, for names users write (not for building networks). */
int ilnet_network_find_species_any_order(const ilnet_network *net, const char *name);
/* Species i's label: what outputs call it (its name when it has no label). */
const char *ilnet_network_species_label(const ilnet_network *net, size_t i);
/* Gives species i a label (once; not another species' name or label). */
int ilnet_network_set_species_label(ilnet_network *net, size_t i, const char *label);
int ilnet_network_find_reaction(const ilnet_network *net, const char *name);
int ilnet_network_find_observable(const ilnet_network *net, const char *name);
int ilnet_network_find_function(const ilnet_network *net, const char *name);

/* Valid after compile. */
const ilnet_stoich *ilnet_network_stoichiometry(const ilnet_network *net);
/* Observable values for one state vector y (n_species) into out (n_observables). */
void ilnet_network_observables_eval(const ilnet_network *net, const double *y, double *out);
/* Their sensitivities from the species' S[i * k + j] (observables are weighted species
 * sums): out[o * k + j]. */
void ilnet_network_observables_sens(const ilnet_network *net, const double *S, size_t k,
                                    double *out);

/* State-dependent rate laws (valid after compile). A reaction is dynamic when its rate
 * expression refers to a function, an observable, a species or time(); its k then holds
 * the value at the initial state and t = 0. Evaluation works on a caller-owned variable
 * vector of ilnet_network_var_count() doubles: parameters, observables, functions, time,
 * species amounts. */
size_t ilnet_network_var_count(const ilnet_network *net);
/* ilnet_network_expr_compile, with names the network does not know passed to extra (may
 * be NULL): its index k >= 0 becomes variable var_count + k, which the caller fills. */
int ilnet_network_expr_compile_ex(const ilnet_network *net, const char *text,
                                  int (*extra)(void *ctx, const char *name, size_t len), void *ctx,
                                  ilnet_expr **out);
/* SBML: a species' amount and concentration as expressions over the network's names
 * ("S" and "S/c", or "S*c" and "S" for one an assignment rule gives as a concentration),
 * recorded by the importer for readouts; NULL when the id has none. */
int ilnet_network_add_quantity(ilnet_network *net, const char *id, const char *amount,
                               const char *conc);
const char *ilnet_network_quantity(const ilnet_network *net, const char *id, int conc);
size_t ilnet_network_dynamic_count(const ilnet_network *net);
int ilnet_network_reaction_is_dynamic(const ilnet_network *net, size_t r);
/* Fills vars for state y at time t (parameters, observables, then functions in order). */
void ilnet_network_vars_eval(const ilnet_network *net, double t, const double *y, double *vars);
/* Re-evaluates only the functions from the parameters/observables/time already in vars. */
void ilnet_network_functions_eval(const ilnet_network *net, double *vars);
double ilnet_network_rate_eval(const ilnet_network *net, size_t r, const double *vars);
/* The observables and species reaction r's rate depends on (directly or through
 * functions), as variable-vector indices into out (capacity n_observables + n_species);
 * returns how many, or -1 when out of memory. */
int ilnet_network_rate_inputs(const ilnet_network *net, size_t r, int *out);
/* The functions expression e uses, directly or through other functions (indices into out,
 * capacity function_count); returns how many, or -1 when out of memory. */
int ilnet_network_expr_functions(const ilnet_network *net, const ilnet_expr *e, int *out);
/* Function i's compiled expression (after compile). */
const ilnet_expr *ilnet_network_function_expr(const ilnet_network *net, size_t i);
/* Compiled pieces for derivative evaluation (network_sens.h), valid after compile:
 * parameter i's expression (over parameters), the k-th parameter in evaluation order
 * (dependencies first), all parameter values, species i's initial-amount expression and
 * reaction r's rate expression (over the variable vector), the k-th function in order. */
const ilnet_expr *ilnet_network_param_expr(const ilnet_network *net, size_t i);
size_t ilnet_network_param_order(const ilnet_network *net, size_t k);
const double *ilnet_network_param_values(const ilnet_network *net);
const ilnet_expr *ilnet_network_species_expr(const ilnet_network *net, size_t i);
const ilnet_expr *ilnet_network_rate_expr(const ilnet_network *net, size_t r);
size_t ilnet_network_function_order(const ilnet_network *net, size_t k);
/* Index of observable o / species i in the variable vector. */
size_t ilnet_network_observable_var(const ilnet_network *net, size_t o);
/* Index of function k's value in the variable vector. */
size_t ilnet_network_function_var(const ilnet_network *net, size_t k);
size_t ilnet_network_species_var(const ilnet_network *net, size_t i);
/* Compiles an expression over the variable vector (parameters, observables, functions,
 * time, species by name), e.g. an output column; free with ilnet_expr_free. */
int ilnet_network_expr_compile(const ilnet_network *net, const char *text, ilnet_expr **out);

#endif
