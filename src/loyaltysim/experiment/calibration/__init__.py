"""Calibration: fit free parameters so that simulated figures match observed ones.

``[calibration]`` names free parameters (dotted keys with bounds) and targets: a figure
(``"babyshop.repurchase_rate" = 0.10``) or a curve read from a CSV file (weekly cumulative
repeat orders, say). The loss is a weighted sum of squared scaled errors of the mean over
``replications`` runs, a curve's averaged over its points::

    loss(theta) = sum_i  w_i * mean_t ((mean_it(theta) - target_it) / scale_it) ** 2

with ``scale_i = |target_i|`` for a figure unless given (so, by default, relative errors);
see :mod:`~loyaltysim.experiment.calibration.targets` for curves.

**Common random numbers.** Every evaluation runs replications ``0..R-1`` with the same
seeds, so the loss is a deterministic function of the parameters. Where a parameter only
moves thresholds (a price), nearby parameter sets share their random draws and differ by
the parameter's effect; where it changes how many numbers are drawn (a need rate), the
streams drift apart and the loss stays nearly as rough as with fresh seeds. Either way it
has no useful gradient, and an optimiser that sees only these seeds can stop where they
happen to favour the target; hence the refinement and check steps below.

**Optimiser.** Hence a derivative-free method: Nelder-Mead (Nelder & Mead 1965; Gao & Han
2012's adaptive coefficients, ``scipy.optimize.minimize``) on the parameters scaled to
[0, 1], with bounds and a large initial simplex (a quarter of each range) so the first
steps are well above the roughness. It draws no random numbers, needs about ``10 x D``
evaluations for ``D`` parameters, and suits the 1-4 parameters a calibration usually frees.
For more parameters or a multi-modal loss, ``method = "differential-evolution"`` (Storn &
Price 1997) with a fixed ``seed`` searches globally at the cost of many more evaluations,
which run in parallel (population x replications).

**Refinement.** After the optimiser, the targets and their slopes are estimated on
``check_replications`` other seeds (``R..R+C-1``), and one Gauss-Newton step minimises the
linearised loss within the bounds (a local linear metamodel, as in response surface
methodology; Kleijnen 2008).

**Honest figures.** The achieved figures are estimated on a third set of seeds
(``R+C..R+2C-1``), which neither the optimiser nor the refinement saw, so their 95%
confidence intervals are not flattered by the fit. The local slopes tell how precisely the
targets pin the parameters down: an error ``e`` in a target moves the fitted parameter by
about ``e / slope``.
"""

from loyaltysim.experiment.calibration.output import report, write_calibration
from loyaltysim.experiment.calibration.search import (
    CalibrationError,
    CalibrationResult,
    calibrate,
)

__all__ = ["CalibrationError", "CalibrationResult", "calibrate", "report", "write_calibration"]
