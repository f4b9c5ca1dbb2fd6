"""The ilnet Python package (python/ilnet) against the ilnet command and closed forms:
results equal the command's bit for bit (Cheemalavagu, the IL-2 model with a preset, an
SBML model), set by name equals --set, sensitivities equal --sens, steady states equal a
closed form, errors raise IlnetError with ilnet's message, two threads on two copies equal
one thread, studies and PEtab problems through the library, and 10,000 simulations leave
the memory flat."""
import os
import resource
import subprocess
import threading

import h5py
import numpy as np
import pytest

import ilnet


def cli_simulate(cli, scratch, model, *args):
    out = os.path.join(scratch, "cli.h5")
    r = subprocess.run([cli, "simulate", model, "-q", "-o", out, *args], capture_output=True,
                       text=True)
    assert r.returncode == 0, r.stderr
    with h5py.File(out, "r") as f:
        return {k: f[k][()] for k in ("time", "species_amounts", "observables")} | (
            {k: f[k][()] for k in ("species_sensitivities", "observable_sensitivities")}
            if "species_sensitivities" in f else {})


def test_cheemalavagu_equals_cli_bit_for_bit(cli, shared, scratch):
    net = os.path.join(shared, "bng", "Cheemalavagu_JAK_STAT", "Cheemalavagu_JAK_STAT.net")
    want = cli_simulate(cli, scratch, net, "--t-end", "100", "--n-steps", "50")
    r = ilnet.load(net).simulate(t_end=100, n_steps=50)
    assert np.array_equal(r.time.values, want["time"])
    assert np.array_equal(r.species_amounts.values, want["species_amounts"])
    assert np.array_equal(r.observables.values, want["observables"])


def test_il2_preset_and_set_equal_cli(cli, scratch):
    args = ["--t-end", "60", "--n-steps", "12", "--preset", "human_treg", "--set", "L2_nM=0.5"]
    want = cli_simulate(cli, scratch, "il2_il7", *args)
    m = ilnet.load("il2_il7", preset="human_treg", set={"L2_nM": 0.5})
    r = m.simulate(t_end=60, n_steps=12)
    assert np.array_equal(r.species_amounts.values, want["species_amounts"])
    # setting by name afterwards is the same as --set
    m2 = ilnet.load("il2_il7", preset="human_treg")
    before = m2.simulate(t_end=60, n_steps=12).observables.values
    m2.parameters["L2_nM"] = 0.5
    after = m2.simulate(t_end=60, n_steps=12)
    assert np.array_equal(after.observables.values, want["observables"])
    assert not np.array_equal(before, after.observables.values)
    assert list(r.observable.values) == list(m.observables)
    assert r.parameter_values.sel(parameter="L2_nM") == 0.5


def test_sbml_equals_cli(cli, shared, scratch):
    b93 = os.path.join(shared, "biomodels", "BIOMD0000000093.xml")
    want = cli_simulate(cli, scratch, b93, "--t-end", "30", "--n-steps", "10")
    r = ilnet.load(b93).simulate(t_end=30, n_steps=10)
    assert r.attrs["solver_atol"] == 1e-14  # the command's default for SBML
    assert np.array_equal(r.species_amounts.values, want["species_amounts"])


def test_sensitivities_equal_cli(cli, shared, scratch):
    net = os.path.join(shared, "bng", "Cheemalavagu_JAK_STAT", "Cheemalavagu_JAK_STAT.net")
    m = ilnet.load(net)
    names = m.parameters.names()[:2]
    want = cli_simulate(cli, scratch, net, "--t-end", "50", "--n-steps", "5", "--sens",
                        ",".join(names))
    r = m.simulate(t_end=50, n_steps=5, sens=names)
    assert list(r.sensitivity_parameter.values) == names
    assert r.species_sensitivities.dims == ("time", "species", "sensitivity_parameter")
    assert np.array_equal(r.species_sensitivities.values, want["species_sensitivities"])
    assert np.array_equal(r.observable_sensitivities.values, want["observable_sensitivities"])


AB = """begin parameters
  kf 2
  kr 0.5
end parameters
begin molecule types
  A()
  B()
end molecule types
begin seed species
  A() 10
end seed species
begin observables
  Molecules Atot A()
  Molecules Btot B()
end observables
begin reaction rules
  A() <-> B() kf, kr
end reaction rules
"""


def ab_model(scratch):
    p = os.path.join(scratch, "ab.bngl")
    with open(p, "w") as f:
        f.write(AB)
    return ilnet.load(p)


def test_closed_form_and_steady_state(scratch):
    m = ab_model(scratch)
    r = m.simulate(times=[0, 0.5, 1, 2], atol=1e-12, rtol=1e-10)
    t = r.time.values
    a = 10 * (0.5 + 2 * np.exp(-2.5 * t)) / 2.5
    assert np.allclose(r.observables.sel(observable="Atot"), a, rtol=1e-8)
    ss = m.steady_state(sens=["kf"])
    assert ss.observables.sel(observable="Atot") == pytest.approx(10 * 0.5 / 2.5, rel=1e-8)
    # d A* / d kf = -10 kr / (kf + kr)^2
    d = ss.observable_sensitivities.sel(observable="Atot", sensitivity_parameter="kf")
    assert float(d) == pytest.approx(-10 * 0.5 / 2.5 ** 2, rel=1e-6)
    m.species["A()"] = 4
    assert m.steady_state().observables.sel(observable="Btot") == pytest.approx(4 * 2 / 2.5)
    m.species.reset("A()")
    assert m.species["A()"] == 10


def test_steady_state_sensitivities_with_a_set_species(scratch):
    """Setting one species' initial amount keeps the others following their expressions:
    dA*/dA0 = kr / (kf + kr) with B()'s amount set (a bug once gave 0)."""
    p = os.path.join(scratch, "ab0.bngl")
    with open(p, "w") as f:
        f.write(AB.replace("  kr 0.5\n", "  kr 0.5\n  A0 10\n").replace("A() 10", "A() A0"))
    m = ilnet.load(p)
    d0 = m.steady_state(sens=["A0"]).observable_sensitivities.sel(
        observable="Atot", sensitivity_parameter="A0")
    m.species["B()"] = 0
    d1 = m.steady_state(sens=["A0"]).observable_sensitivities.sel(
        observable="Atot", sensitivity_parameter="A0")
    assert float(d0) == pytest.approx(0.2, rel=1e-6) and float(d1) == pytest.approx(0.2, rel=1e-6)


def test_copy_after_load_messages_kept(shared):
    """The message callback outlives load(): a copy reads the file again and may warn."""
    import gc
    m = ilnet.load(os.path.join(shared, "biomodels", "BIOMD0000000093.xml"))
    gc.collect()
    c = m.copy()
    gc.collect()
    assert c.simulate(t_end=1, n_steps=1).sizes["species"] == len(m.species)


def test_species_any_component_order():
    m = ilnet.load("il2_il7")
    assert m.species["S5(d,dm,ph,gn,loc~c,y~u)"] == m.species["S5(d,dm,gn,loc~c,ph,y~u)"]


def test_parameters_mapping(scratch):
    m = ab_model(scratch)
    assert m.parameters["kf"] == 2 and m.parameters.expression("kf") == "2"
    m.parameters["kf"] = 3
    assert m.parameters["kf"] == 3
    m.parameters.reset("kf")
    assert m.parameters["kf"] == 2
    assert "kr" in m.parameters and "nope" not in m.parameters
    assert m.parameters.to_dict() == {"kf": 2.0, "kr": 0.5}
    assert list(m.species) == ["A()", "B()"]
    info = m.info()
    assert info["n_species"] == 2 and info["parameters"]["kr"]["value"] == 0.5


def test_errors_raise_ilnet_error(scratch):
    with pytest.raises(ilnet.IlnetError) as e:
        ilnet.load(os.path.join(scratch, "missing.bngl"))
    assert "missing.bngl" in str(e.value) and e.value.code < 0
    bad = os.path.join(scratch, "bad.bngl")
    with open(bad, "w") as f:
        f.write(AB.replace("A() <-> B() kf, kr", "A() <-> B() kx, kr"))
    with pytest.raises(ilnet.IlnetError) as e:
        ilnet.load(bad)
    assert "bad.bngl:" in str(e.value) and "kx" in str(e.value)
    m = ab_model(scratch)
    with pytest.raises(ilnet.IlnetError) as e:
        m.parameters["kff"] = 1
    assert "did you mean 'kf'" in str(e.value)
    with pytest.raises(KeyError):  # unknown names are KeyErrors too
        m.parameters["kff"]
    with pytest.raises(ilnet.IlnetError) as e:
        m.simulate(times=[0, 2, 1])
    assert "must not decrease" in str(e.value)
    with pytest.raises(ilnet.IlnetError) as e:
        m.simulate(t_end=1, sens=["nope"])
    assert "nope" in str(e.value)
    with pytest.raises(ilnet.IlnetError) as e:
        ilnet.load("il2_il7", preset="no_such_cell")
    assert "no_such_cell" in str(e.value)


def test_failed_integration_keeps_partial(scratch):
    p = os.path.join(scratch, "blowup.bngl")
    with open(p, "w") as f:
        f.write("""begin parameters
  k 1
end parameters
begin molecule types
  X()
end molecule types
begin seed species
  X() 1
end seed species
begin observables
  Molecules Xt X()
end observables
begin reaction rules
  X() + X() -> X() + X() + X() k
end reaction rules
""")
    with pytest.raises(ilnet.IlnetError) as e:
        ilnet.load(p).simulate(t_end=3, n_steps=30)
    assert e.value.code == -4
    part = e.value.partial
    assert part.attrs["status"] == "partial" and 1 < part.sizes["time"] < 31


def test_two_threads_two_copies_equal_one_thread():
    base = ilnet.load("il2_il7", preset="human_thelper")
    doses = [0.01, 1.0]
    one = []
    for d in doses:
        base.parameters["L2_nM"] = d
        one.append(base.simulate(t_end=30, n_steps=6).observables.values)
    copies = [base.copy(), base.copy()]
    got = [None, None]

    def work(i):
        copies[i].parameters["L2_nM"] = doses[i]
        got[i] = copies[i].simulate(t_end=30, n_steps=6).observables.values

    ts = [threading.Thread(target=work, args=(i,)) for i in range(2)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    assert all(np.array_equal(a, b) for a, b in zip(one, got))


def test_study_run_and_open(scratch):
    cfg = os.path.join(scratch, "s.yaml")
    with open(os.path.join(scratch, "ab.bngl"), "w") as f:
        f.write(AB)
    with open(cfg, "w") as f:
        f.write("""model: ab.bngl
simulation: {t_end: 1, n_steps: 4}
experiments:
  - name: grid
    type: sweep
    parameters:
      - {name: kf, values: [1, 2, 3]}
      - {name: kr, values: [0.5, 1]}
""")
    st = ilnet.run_study(cfg, threads=2, set={"kf": 5})
    assert st.path == os.path.join(scratch, "s.h5") and st.experiments == ["grid"]
    g = st["grid"]["observables_grid"]
    assert g.dims == ("kf", "kr", "time", "observable")
    a = g.sel(kf=2, kr=1, observable="Atot").values
    t = g.time.values
    assert np.allclose(a, 10 * (1 + 2 * np.exp(-3 * t)) / 3, rtol=1e-6)
    assert st.attrs["set"].startswith("kf=")
    st.close()
    with pytest.raises(ilnet.IlnetError) as e:
        with open(cfg, "a") as f:
            f.write("oops: 1\n")
        ilnet.run_study(cfg)
    assert "s.yaml:" in str(e.value) and "oops" in str(e.value)


def test_petab_evaluate(shared, cli):
    boehm = os.path.join(shared, "petab", "benchmark", "Boehm_JProteomeRes2014",
                         "Boehm_JProteomeRes2014.yaml")
    def cli_llh(*args):
        r = subprocess.run([cli, "petab", "evaluate", boehm, *args], capture_output=True,
                           text=True)
        return float(r.stdout.split("llh:")[1].split()[0])
    # with sensitivities CVODE's error control includes them: equal runs, equal numbers
    e = ilnet.petab.evaluate(boehm)
    assert e.llh == cli_llh("--gradient")
    assert e.gradient.shape == (len(ilnet.petab.load(boehm).parameter_ids),)
    assert ilnet.petab.evaluate(boehm, gradient=False).llh == cli_llh()
    p = ilnet.petab.load(boehm)
    i = p.parameter_ids.index("k_phos")
    slower = p.evaluate({"k_phos": p.nominal[i] - 1}, residuals=True)
    assert slower.llh < e.llh and slower.residuals.shape == (p.n_measurements,)
    # adjoint gradients: the CLI's --adjoint numbers, and the forward gradient's within
    # the tolerances' reach
    a = ilnet.petab.load(boehm, adjoint=True).evaluate(gradient=True)
    r = subprocess.run([cli, "petab", "evaluate", boehm, "--gradient", "--adjoint"],
                       capture_output=True, text=True)
    cli_grad = [float(ln.split()[2]) for ln in r.stdout.splitlines()
                if ln.startswith("gradient:")]
    assert list(a.gradient) == cli_grad
    assert np.max(np.abs(a.gradient - e.gradient)) <= 1e-3 * np.max(np.abs(e.gradient))


def test_memory_flat_over_10000_simulations(scratch):
    m = ab_model(scratch)
    times = [0.0, 0.5, 1.0]

    def rss_mb():
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * resource.getpagesize() / 2 ** 20

    for _ in range(500):  # warm up allocators and caches
        m.simulate(times=times, output="numpy")
    before = rss_mb()
    for _ in range(10000):
        m.simulate(times=times, output="numpy")
    assert rss_mb() - before < 5


def test_fit_equals_cli(shared, cli, scratch):
    boehm = os.path.join(shared, "petab", "benchmark", "Boehm_JProteomeRes2014",
                         "Boehm_JProteomeRes2014.yaml")
    out = os.path.join(scratch, "cli_fit.h5")
    r = subprocess.run([cli, "fit", boehm, "--starts", "3", "--seed", "2", "--threads", "2",
                        "--max-iter", "60", "-q", "-o", out, "--profile", "k_phos"],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    want = float(r.stdout.split("best llh:")[1].split()[0])
    seen = []
    f = ilnet.fit(boehm, starts=3, seed=2, threads=2, max_iter=60, profile=["k_phos"],
                  output=os.path.join(scratch, "py_fit.h5"), on_start=seen.append)
    assert f.best_llh == want
    assert len(seen) == 3 and {s["index"] for s in seen} == {0, 1, 2}
    assert f.llh.shape == (3,) and f.theta.shape == (3, len(f.parameter_ids))
    assert f.best_llh == f.llh.max()
    lo, hi = f.profile_ci["k_phos"]
    assert lo < f.best_theta["k_phos"] < hi
    assert set(f.fisher_ci) == set(f.parameter_ids) and list(f.profile_ci) == ["k_phos"]
    cli_text = r.stdout
    assert f"profile 95% CI: k_phos {lo:.10g} {hi:.10g}" in cli_text
    ds = f.open()
    assert np.array_equal(np.sort(ds.llh.values), np.sort(f.llh))
    assert os.path.exists(os.path.join(scratch, "py_fit.parameters.tsv"))
    # stopping from the callback keeps the finished starts and says so
    with pytest.raises(ilnet.IlnetError) as e:
        ilnet.fit(boehm, starts=4, threads=1, max_iter=20, on_start=lambda s: True)
    assert e.value.code == -6 and "of 4 starts finished" in str(e.value)
    assert 1 <= int(str(e.value).split(" of 4")[0].split()[-1]) < 4
    assert len(e.value.result.llh) == 4
    with pytest.raises(ilnet.IlnetError) as e:
        ilnet.fit(boehm, starts=2, optimizer="newton")
    assert "newton" in str(e.value)
    # gradients by the adjoint method: the CLI's fit, start for start
    r = subprocess.run([cli, "fit", boehm, "--starts", "2", "--seed", "2", "--threads", "2",
                        "--max-iter", "40", "-q", "--gradient", "adjoint"],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    f = ilnet.fit(boehm, starts=2, seed=2, threads=2, max_iter=40, gradient="adjoint")
    assert f.best_llh == float(r.stdout.split("best llh:")[1].split()[0])
    with pytest.raises(ilnet.IlnetError) as e:
        ilnet.fit(boehm, starts=2, gradient="backward")
    assert "backward" in str(e.value)


def test_ctrl_c_stops_a_study_and_resume_completes_it(scratch):
    """SIGINT while run_study runs: KeyboardInterrupt once the points in flight are done,
    the file keeps the finished points, and resume=True completes it."""
    import signal
    import sys
    import time
    cfg = os.path.join(scratch, "long.yaml")
    with open(cfg, "w") as f:
        f.write("""model: il2_il7
simulation: {t_end: 240, n_steps: 24}
parameters: {L2_nM: 1}
output: {observables: [pSTAT5_total]}
experiments:
  - name: s
    type: sweep
    design: lhs
    n: 1000
    parameters:
      - {name: R_B, min: 100, max: 3000}
""")
    # (Python's own SIGINT handler even where the parent ignores SIGINT)
    code = ("import signal; signal.signal(signal.SIGINT, signal.default_int_handler); "
            f"import ilnet; ilnet.run_study({cfg!r}, threads=1)")
    env = dict(os.environ)
    p = subprocess.Popen([sys.executable, "-c", code], stderr=subprocess.PIPE, text=True, env=env)
    out = os.path.join(scratch, "long.h5")
    t0 = time.time()
    while not os.path.exists(out) and time.time() - t0 < 60:  # the run has begun
        time.sleep(0.1)
    time.sleep(1.0)
    p.send_signal(signal.SIGINT)
    err = p.communicate(timeout=120)[1]
    assert p.returncode != 0 and "KeyboardInterrupt" in err, err
    with h5py.File(out, "r") as f:
        done = int((f["s"]["status"][()] != 0).sum())
        assert f.attrs["status"] != "complete" and 0 < done < 1000
    st = ilnet.run_study(cfg, threads=2, resume=True)
    assert st.attrs["status"] == "complete"
    assert int((st["s"]["status"].values == 1).sum()) == 1000
