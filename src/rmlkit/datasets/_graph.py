"""The generating causal graph of a synthetic data set, as data and as a figure."""

from __future__ import annotations

import textwrap
from dataclasses import dataclass, field

import matplotlib.pyplot as plt

_KIND_COLOURS = {
    "latent": "#cc6677",      # never recorded by the agency
    "observed": "#4477aa",    # in the agency's records
    "decision": "#228833",    # a decision by people in the system
    "outcome": "#ddaa33",     # an outcome used as a label
}


@dataclass
class CausalGraph:
    """Nodes (with a kind and a position for drawing) and directed edges.

    An edge may name the bias mechanism that acts along it; switching that mechanism
    off (strength 0) removes its effect.

    Introduced in the book page "Data: synthetic child-welfare referrals".
    """

    nodes: dict[str, tuple[str, tuple[float, float]]]
    edges: list[tuple[str, str, str | None]] = field(default_factory=list)

    def parents(self, node: str) -> list[str]:
        return [a for a, b, _ in self.edges if b == node]

    def mechanisms(self) -> dict[str, list[tuple[str, str]]]:
        """Which edges each bias mechanism acts on."""
        out: dict[str, list[tuple[str, str]]] = {}
        for a, b, mechanism in self.edges:
            if mechanism:
                out.setdefault(mechanism, []).append((a, b))
        return out

    def to_dot(self) -> str:
        """The graph in Graphviz's DOT language."""
        lines = ["digraph generating_process {", "  rankdir=LR;"]
        for name, (kind, _) in self.nodes.items():
            lines.append(f'  "{name}" [shape=box, color="{_KIND_COLOURS[kind]}"];')
        for a, b, mechanism in self.edges:
            label = f' [label="{mechanism}", style=dashed]' if mechanism else ""
            lines.append(f'  "{a}" -> "{b}"{label};')
        lines.append("}")
        return "\n".join(lines)

    def draw(self, ax=None, *, active: dict[str, float] | None = None):
        """Draw the graph with matplotlib; dashed red edges are bias mechanisms.

        ``active`` (mechanism strengths) greys out the mechanisms switched off.
        """
        if ax is None:
            _, ax = plt.subplots(figsize=(11, 6))
        for a, b, mechanism in self.edges:
            (xa, ya), (xb, yb) = self.nodes[a][1], self.nodes[b][1]
            on = mechanism is None or active is None or active.get(mechanism, 1) > 0
            colour = "#555555" if mechanism is None else ("#bb3333" if on else "#cccccc")
            ax.annotate(
                "", xy=(xb, yb), xytext=(xa, ya),
                arrowprops=dict(arrowstyle="-|>", color=colour, lw=1.2 if on else 0.8,
                                linestyle="--" if mechanism else "-",
                                shrinkA=22, shrinkB=22),
            )
            if mechanism:
                # near the arrow's head, so labels of edges from one node do not collide
                ax.text(xa + 0.72 * (xb - xa), ya + 0.72 * (yb - ya), mechanism.replace("_", " "),
                        fontsize=7, color=colour, ha="center", va="center",
                        bbox=dict(facecolor="white", edgecolor="none", pad=0.5))
        for name, (kind, (x, y)) in self.nodes.items():
            label = textwrap.fill(name.replace("_", " "), width=12)
            ax.text(x, y, label, ha="center", va="center", fontsize=8,
                    bbox=dict(boxstyle="round,pad=0.4", facecolor="white",
                              edgecolor=_KIND_COLOURS[kind], linewidth=2))
        handles = [plt.Line2D([], [], color=c, lw=3, label=k) for k, c in _KIND_COLOURS.items()]
        ax.legend(handles=handles, loc="lower right", fontsize=8, frameon=False)
        xs = [p[0] for _, p in self.nodes.values()]
        ys = [p[1] for _, p in self.nodes.values()]
        ax.set_xlim(min(xs) - 0.8, max(xs) + 0.8)
        ax.set_ylim(min(ys) - 0.8, max(ys) + 0.8)
        ax.axis("off")
        return ax


def child_welfare_graph() -> CausalGraph:
    """The process behind :func:`rmlkit.datasets.make_child_welfare`."""
    nodes = {
        "group": ("observed", (0, 4.6)),
        "deprivation": ("observed", (0, 1.5)),
        "true_need": ("latent", (2, 3)),
        "harm": ("latent", (4, 3.6)),
        "service_contact": ("observed", (2, 0.5)),
        "prior_referrals": ("observed", (4, 0.5)),
        "referral": ("decision", (6, 2.2)),
        "screening": ("decision", (8, 2.2)),
        "substantiation": ("outcome", (10, 3.4)),
        "placement": ("outcome", (10, 1.0)),
        "re_referral": ("outcome", (8, 0.2)),
    }
    edges = [
        ("deprivation", "true_need", None),
        ("group", "true_need", "base_rate_difference"),
        ("true_need", "harm", None),
        ("deprivation", "service_contact", "poverty_bias"),
        ("group", "deprivation", "base_rate_difference"),
        ("group", "service_contact", "surveillance_bias"),
        ("service_contact", "prior_referrals", None),
        ("group", "prior_referrals", "historical_bias"),
        ("harm", "referral", None),
        ("true_need", "referral", None),
        ("service_contact", "referral", "poverty_bias"),
        ("prior_referrals", "referral", None),
        ("group", "referral", "reporting_bias"),
        ("harm", "screening", None),
        ("prior_referrals", "screening", None),
        ("referral", "screening", None),
        ("group", "screening", "screener_bias"),
        ("screening", "substantiation", None),
        ("harm", "substantiation", None),
        ("group", "substantiation", "label_bias"),
        ("screening", "placement", None),
        ("harm", "placement", None),
        ("true_need", "placement", None),
        ("deprivation", "placement", "poverty_bias"),
        ("group", "placement", "label_bias"),
        ("referral", "re_referral", None),
        ("prior_referrals", "re_referral", None),
        ("screening", "prior_referrals", None),
    ]
    return CausalGraph(nodes, edges)


def care_needs_graph() -> CausalGraph:
    """The process behind :func:`rmlkit.datasets.make_care_needs`."""
    nodes = {
        "group": ("observed", (0, 3)),
        "health_need": ("latent", (2, 2)),
        "access_to_care": ("latent", (2, 4)),
        "chronic_conditions": ("outcome", (4.5, 0.6)),
        "biomarkers": ("observed", (4.5, 2)),
        "avoidable_cost": ("outcome", (7, 2.6)),
        "total_cost": ("outcome", (7, 4)),
        "risk_score": ("decision", (9.5, 3.2)),
    }
    edges = [
        ("group", "health_need", "base_rate_difference"),
        ("group", "access_to_care", "access_bias"),
        ("health_need", "chronic_conditions", None),
        ("health_need", "biomarkers", None),
        ("chronic_conditions", "total_cost", None),
        ("chronic_conditions", "avoidable_cost", None),
        ("access_to_care", "total_cost", None),
        ("access_to_care", "avoidable_cost", None),
        ("total_cost", "risk_score", None),
        ("biomarkers", "risk_score", None),
    ]
    return CausalGraph(nodes, edges)


def dropout_graph() -> CausalGraph:
    """The process behind :func:`rmlkit.datasets.make_dropout`."""
    nodes = {
        "district": ("observed", (0, 4)),
        "school_environment": ("latent", (2, 4)),
        "group": ("observed", (2, 1.2)),
        "individual_latent": ("latent", (4, 2.4)),
        "school_features": ("observed", (4, 4.6)),
        "record": ("observed", (6, 1.6)),
        "discipline": ("observed", (6, 0.2)),
        "dropped_out": ("outcome", (8, 3.2)),
    }
    edges = [
        ("district", "school_environment", None),
        ("school_environment", "group", None),
        ("school_environment", "school_features", None),
        ("school_environment", "dropped_out", None),
        ("school_environment", "record", None),
        ("individual_latent", "record", None),
        ("individual_latent", "discipline", None),
        ("individual_latent", "dropped_out", None),
        ("group", "discipline", "measurement_bias"),
    ]
    return CausalGraph(nodes, edges)
