# %% [markdown]
# # Regression on real data: disease progression in diabetes patients
#
# *Beyond the notes:* course note 002 trains linear networks to predict
# house prices from the Boston housing data, which is no longer distributed with
# scikit-learn. `autograd_lite` ships the closest small real regression set instead: the
# diabetes data of Efron, Hastie, Johnstone and Tibshirani (2004), 442 patients, ten
# baseline measurements (age, sex, body-mass index, blood pressure and six blood serum
# values), and a measure of disease progression one year later as the target. Its
# provenance and licence are in `autograd_lite/data/README.md`.
#
# Here we go one step past the note: a hidden layer *with* a nonlinearity, trained with
# Adam on a training split, judged on patients it has not seen, and compared with the
# best linear model.

# %%
import random

import matplotlib.pyplot as plt
import numpy as np

from autograd_lite import MLP, Adam, no_grad
from autograd_lite.compile import compiled_loss
from autograd_lite.examples.note_002 import load_diabetes
from autograd_lite.nn import Progress
from autograd_lite.nn.losses import squared_error

data = load_diabetes()
X_all, y_all = np.array(data.x), np.array(data.y)
print(f"{X_all.shape[0]} patients, {X_all.shape[1]} features: {', '.join(data.features)}")
print(f"target from {y_all.min():g} to {y_all.max():g}, mean {y_all.mean():.1f}")

# %% [markdown]
# ## Is this the data set of the paper?
#
# Efron et al. (2004, *Least Angle Regression*, Annals of Statistics 32(2)) describe
# $n = 442$ patients and $m = 10$ covariates, and report $R^2 = 0.518$ for the full
# ordinary-least-squares fit. The closed-form least-squares solution on our copy of the
# data must give the same.

# %%
def with_intercept(X: np.ndarray) -> np.ndarray:
    return np.c_[X, np.ones(len(X))]


def r_squared(y: np.ndarray, prediction: np.ndarray) -> float:
    return 1 - np.sum((y - prediction) ** 2) / np.sum((y - y.mean()) ** 2)


beta_all, *_ = np.linalg.lstsq(with_intercept(X_all), y_all, rcond=None)
r2_paper = r_squared(y_all, with_intercept(X_all) @ beta_all)
print(f"least squares on all 442 patients: R^2 = {r2_paper:.4f}   (paper: 0.518)")
assert X_all.shape == (442, 10)
assert round(r2_paper, 3) == 0.518

# %% [markdown]
# ## Training and test patients
#
# A fixed random 80 / 20 split. Features and target are standardised with the *training*
# patients' means and standard deviations only, so nothing about the test patients leaks
# into training.

# %%
order = list(range(len(y_all)))
random.Random(0).shuffle(order)
cut = int(0.8 * len(order))
train_rows, test_rows = order[:cut], order[cut:]
mu, sd = X_all[train_rows].mean(axis=0), X_all[train_rows].std(axis=0)
y_mu, y_sd = y_all[train_rows].mean(), y_all[train_rows].std()
X_train = ((X_all[train_rows] - mu) / sd).tolist()
X_test = ((X_all[test_rows] - mu) / sd).tolist()
y_train = ((y_all[train_rows] - y_mu) / y_sd).tolist()
y_test_original = y_all[test_rows]
print(f"{len(train_rows)} training patients, {len(test_rows)} test patients")

# %% [markdown]
# ## The model
#
# Ten inputs, one hidden layer of four tanh units, one linear output: 49 parameters.
# The loss is the mean squared error over all training patients (full batch), minimised
# with Adam. With only 353 training patients a bigger network, or many more epochs,
# starts to fit the noise: watch the test curve below turn up if you raise `EPOCHS`.

# %%
model = MLP(10, [4, 1], activation="tanh", output_activation="linear", seed=0)
optimiser = Adam(model.parameters(), lr=0.01)
EPOCHS = 80


def predict(rows: list[list[float]]) -> np.ndarray:
    """Predictions in the target's original units (no graph recorded)."""
    with no_grad():
        return np.array([model(row).data for row in rows]) * y_sd + y_mu


# One per-example tape, replayed on every patient: the same gradients as building the
# graph of the whole batch each epoch (see the moons notebook), many times faster.
squared_error_of = compiled_loss(model, squared_error)
train_curve, test_curve = [], []
progress = Progress(EPOCHS, every=50)  # a tqdm bar if installed, else a line
for epoch in progress:
    optimiser.zero_grad()
    losses = squared_error_of(X_train, y_train).values  # adds d MSE / d p to .grad
    optimiser.step()
    train_curve.append(float(np.mean(losses)))
    if epoch % 10 == 9 or epoch == 0:
        test_mse = np.mean((predict(X_test) - y_test_original) ** 2) / y_sd**2
        test_curve.append((epoch, test_mse))
    progress.show(train_mse=train_curve[-1], test_mse=test_curve[-1][1])

# %%
fig, ax = plt.subplots(figsize=(6, 3.5))
ax.plot(train_curve, label="training (standardised MSE)")
ax.plot(*zip(*test_curve), "o-", label="test")
ax.set_xlabel("epoch")
ax.set_ylabel("mean squared error")
ax.legend()
plt.show()

# %% [markdown]
# ## How good is it?
#
# On test patients, against the least-squares line fitted to the same training patients.

# %%
beta, *_ = np.linalg.lstsq(with_intercept(X_all[train_rows]), y_all[train_rows], rcond=None)
linear_test = with_intercept(X_all[test_rows]) @ beta
network_test = predict(X_test)
r2_linear = r_squared(y_test_original, linear_test)
r2_network = r_squared(y_test_original, network_test)
rmse = np.sqrt(np.mean((network_test - y_test_original) ** 2))
print(f"test R^2: least squares {r2_linear:.3f}, network {r2_network:.3f}; "
      f"network RMSE {rmse:.1f} (target standard deviation {y_all.std():.1f})")

fig, ax = plt.subplots(figsize=(4.5, 4.5))
ax.scatter(y_test_original, network_test, s=15, label="network")
ax.scatter(y_test_original, linear_test, s=15, marker="x", alpha=0.6, label="least squares")
lims = [y_all.min(), y_all.max()]
ax.plot(lims, lims, "k--", linewidth=1)
ax.set_xlabel("actual progression")
ax.set_ylabel("predicted progression")
ax.legend()
plt.show()

# %% [markdown]
# This data set is famously noisy: about half of the variance is explained by any
# reasonable model. A small network should do about as well as the best linear model on
# unseen patients — not much better — and must have learned: its training loss falls
# well below the variance of the target (1 in standardised units).

# %%
assert train_curve[-1] < 0.6 * train_curve[0]
assert train_curve[-1] < 0.6
assert r2_network > r2_linear - 0.08, (r2_network, r2_linear)
assert r2_network > 0.45, r2_network
