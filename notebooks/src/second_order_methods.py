# %% [markdown]
# # Second-order methods: Newton's method with `hessian`
#
# *Beyond the notes:* the transforms of `autograd_lite.func` (`grad`, `jvp`, `vjp`,
# `jacobian`, `hessian`) compose, so second derivatives come from the same rule table as
# first ones. Here `hessian` drives Newton's method on the Rosenbrock function
#
# $$f(x, y) = (1 - x)^2 + 100\,(y - x^2)^2,$$
#
# whose minimum $f = 0$ at $(1, 1)$ lies at the bottom of a long curved valley, and Newton's
# method is compared with gradient descent from the classic start $(-1.2, 1)$.

# %%
import math

import matplotlib.pyplot as plt
import numpy as np

from autograd_lite import func


def rosenbrock(x, y):
    return (1 - x) ** 2 + 100 * (y - x * x) ** 2


start = (-1.2, 1.0)
print(f"f{start} = {rosenbrock(*start):.2f}")

# %% [markdown]
# ## The derivatives, against their closed forms
#
# $\nabla f = \big(-2(1 - x) - 400\,x\,(y - x^2),\; 200\,(y - x^2)\big)$ and
# $H = \begin{pmatrix} 2 - 400\,(y - 3x^2) & -400\,x \\ -400\,x & 200 \end{pmatrix}$.
#
# `func.grad(f, argnums=(0, 1))` is reverse mode (one recording, one reverse pass);
# `func.hessian(f, argnums=(0, 1))` is forward over reverse: each row is `jvp` of `grad`
# in the direction of one input, a Hessian-vector product.

# %%
gradient = func.grad(rosenbrock, argnums=(0, 1))
hessian = func.hessian(rosenbrock, argnums=(0, 1))


def gradient_by_hand(x, y):
    return (-2 * (1 - x) - 400 * x * (y - x * x), 200 * (y - x * x))


def hessian_by_hand(x, y):
    return ((2 - 400 * (y - 3 * x * x), -400 * x), (-400 * x, 200.0))


for point in [start, (0.3, -0.4), (1.0, 1.0)]:
    g, H = gradient(*point), hessian(*point)
    assert all(math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-12)
               for a, b in zip(g, gradient_by_hand(*point)))
    assert all(math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-12)
               for row, row_by_hand in zip(H, hessian_by_hand(*point))
               for a, b in zip(row, row_by_hand))
    print(f"at {point}: gradient {g}, Hessian {H}")

# %% [markdown]
# The same Hessian three more ways: reverse over reverse (`jacobian` of `grad`), a
# Hessian-vector product without forming $H$ (`hvp`), and forward over forward (`jvp` of
# `jvp`) for one entry.

# %%
H = hessian(*start)
H_reverse = func.jacobian(gradient, argnums=(0, 1))(*start)
v = (0.5, -2.0)
Hv = func.hvp(rosenbrock, start, v)
d2f_dx2 = func.jvp(lambda x: func.jvp(lambda x: rosenbrock(x, start[1]), (x,), (1.0,))[1],
                   (start[0],), (1.0,))[1]
assert all(math.isclose(a, b, rel_tol=1e-12) for r, s in zip(H, H_reverse) for a, b in zip(r, s))
assert all(math.isclose(a, r[0] * v[0] + r[1] * v[1], rel_tol=1e-12) for a, r in zip(Hv, H))
assert math.isclose(d2f_dx2, H[0][0], rel_tol=1e-12)
H, Hv, d2f_dx2

# %% [markdown]
# ## Newton's method
#
# Each step solves $H\,d = -\nabla f$ and moves to $p + d$: the minimum of the quadratic
# model of $f$ at $p$. A backtracking line search halves the step while it does not
# decrease $f$ (and falls back to the gradient direction if $H$ is not positive definite),
# so every step goes downhill.

# %%
def newton_direction(g, H):
    (a, b), (c, d) = H
    det = a * d - b * c
    if a > 0 and det > 0:  # positive definite: the Newton step
        return (-(d * g[0] - b * g[1]) / det, -(a * g[1] - c * g[0]) / det)
    return (-g[0], -g[1])


def backtrack(p, d, f):
    step = 1.0
    while rosenbrock(p[0] + step * d[0], p[1] + step * d[1]) >= f and step > 1e-12:
        step /= 2
    return (p[0] + step * d[0], p[1] + step * d[1])


def newton(p, steps=50, tolerance=1e-12):
    path = [p]
    for _ in range(steps):
        g = gradient(*p)
        if math.hypot(*g) < tolerance:
            break
        p = backtrack(p, newton_direction(g, hessian(*p)), rosenbrock(*p))
        path.append(p)
    return path


newton_path = newton(start)
print(f"Newton: {len(newton_path) - 1} steps to {newton_path[-1]}")
assert len(newton_path) - 1 <= 30
assert math.dist(newton_path[-1], (1.0, 1.0)) < 1e-10

# %% [markdown]
# ## Gradient descent
#
# The same start with a fixed step size: it must be small, because the valley's walls are
# steep ($H$ has an eigenvalue near 1000 at the start) while its floor is nearly flat.
# Gradient descent finds the valley at once and then crawls along it.

# %%
def gradient_descent(p, learning_rate=1e-3, steps=5000):
    path = [p]
    for _ in range(steps):
        g = gradient(*p)
        p = (p[0] - learning_rate * g[0], p[1] - learning_rate * g[1])
        path.append(p)
    return path


descent_path = gradient_descent(start)
print(f"gradient descent: {len(descent_path) - 1} steps to {descent_path[-1]}, "
      f"{math.dist(descent_path[-1], (1.0, 1.0)):.2e} from the minimum")
assert math.dist(descent_path[-1], (1.0, 1.0)) > 1e-3  # still on its way
assert rosenbrock(*descent_path[-1]) < rosenbrock(*start)

# %% [markdown]
# ## The two paths
#
# Left: the paths on the contours of $\log(1 + f)$. Right: the distance to the minimum at
# each step. Newton's method uses the curvature to step along the valley; gradient descent
# sees only the slope, which points mostly across it.

# %%
xs, ys = np.meshgrid(np.linspace(-1.6, 1.6, 300), np.linspace(-0.6, 1.8, 300))
fig, (left, right) = plt.subplots(1, 2, figsize=(12, 4.5))
left.contour(xs, ys, np.log1p(rosenbrock(xs, ys)), levels=25, cmap="viridis")
for path, style, label in [(descent_path, "-", "gradient descent (5000 steps)"),
                           (newton_path, "o-", f"Newton ({len(newton_path) - 1} steps)")]:
    px, py = zip(*path)
    left.plot(px, py, style, markersize=4, label=label)
left.plot([1.0], [1.0], "k*", markersize=12, label="minimum (1, 1)")
left.set(xlabel="x", ylabel="y", title="Rosenbrock function")
left.legend()
for path, label in [(descent_path, "gradient descent"), (newton_path, "Newton")]:
    right.semilogy([max(math.dist(p, (1.0, 1.0)), 1e-16) for p in path], label=label)
right.set(xscale="symlog", xlabel="step", ylabel="distance to (1, 1)", title="convergence")
right.legend()
plt.tight_layout()
plt.show()
