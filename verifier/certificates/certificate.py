"""The certificate object: the JSON document of docs/certificates.md, with a summary.

The document is the claim; this class only reads it (status, bounds, final
enclosure), writes it, and shows it (text, HTML and LaTeX for Jupyter).
"""

from __future__ import annotations

import html
import json
import re
from fractions import Fraction
from pathlib import Path
from typing import Any

from verifier.arith.numbers import parse_rational, time_text
from verifier.certificates.status import CertificateStatus
from verifier.presentation import present

FORMAT = "ngf-certificate/2"
#: The format of a certificate whose tube has Taylor-model steps (format 2 plus the step
#: kind ``taylor-model``; docs/certificates.md). Others keep :data:`FORMAT`.
FORMAT_TAYLOR_MODEL = "ngf-certificate/3"


class Certificate:
    """A boundedness certificate (``data`` is the JSON document).

    ``notes`` (the reason a stronger claim failed, the terminal configuration, the Taylor
    order, step counts and timings) are for people: they are not written into the file,
    which holds only what the checker proves (docs/certificates.md)."""

    def __init__(self, data: dict, tube: Any = None, notes: dict | None = None) -> None:
        self.data = data
        #: The :class:`verifier.Tube` it was made from (not stored in the file).
        self.tube = tube
        #: Unproven information for people (not stored in the file).
        self.notes = dict(notes or {})

    # -- reading -----------------------------------------------------------------
    @property
    def status(self) -> CertificateStatus:
        """What is claimed (:class:`CertificateStatus`; equal to the file's text)."""
        return CertificateStatus(self.data["status"])

    @property
    def ok(self) -> bool:
        """A claim was produced (bounded forever or on the horizon)."""
        return self.status.ok

    @property
    def bounds(self) -> dict:
        """The bounds as the file states them: outward-rounded decimal strings
        (``{"v": [R_v1, ...], "c": R_c, "over": "t >= 0"}``); :meth:`bound` reads one."""
        return self.data["bounds"]

    def bound(self, name: str, j: int | None = None) -> Fraction:
        """The proven upper bound of ``|v_j|`` (``bound("v", j)``, ``j = 1..H``) or of
        ``|c|`` (``bound("c")``) over the time set of :attr:`bounds` (``"over"``), as an
        exact :class:`~fractions.Fraction`: the value of the file's decimal, which the
        certificate rounds **up** from the enclosure (so it is an upper bound, never a
        midpoint). ``float(cert.bound("c"))`` may round either way: compare exactly."""
        b = self.data["bounds"]
        if name == "c" and j is None:
            text = b["c"]
        elif name == "v" and isinstance(j, int) and not isinstance(j, bool):
            if not 1 <= j <= len(b["v"]):
                raise ValueError(f"bound('v', j): j must be 1..{len(b['v'])}, got {j}")
            text = b["v"][j - 1]
        else:
            raise ValueError(f"bound(name, j): 'v' with a neuron j = 1..{len(b['v'])}, or "
                             f"'c' alone; got {name!r}, {j!r}")
        return parse_rational(text, f"bound {name}", strict=True)

    @property
    def reason(self) -> str:
        """Why no stronger claim was made (a note; empty for a loaded file)."""
        return self.notes.get("reason", "")

    @property
    def names(self) -> list[str]:
        from verifier.field import flows

        return flows.coordinate_names(self.data["flow"], self.data["problem"]["width"])

    def to_json(self) -> str:
        return json.dumps(self.data, separators=(",", ":"))

    def save(self, path: str | Path) -> Path:
        """Write the JSON document (atomically: a partial file never has the final name)."""
        path = Path(path)
        tmp = path.with_name(path.name + ".part")
        tmp.write_text(self.to_json())
        tmp.replace(path)
        return path

    @classmethod
    def load(cls, path: str | Path) -> Certificate:
        """Read a certificate *without* checking it (use :func:`verifier.check` for that)."""
        from verifier.checker.load import load_json

        return cls(load_json(path))

    # -- plotting ------------------------------------------------------------------
    def plot(self, kind: str = "tube", reference: Any = None, **kwargs: Any) -> Any:
        """A matplotlib Figure of the certified tube as stored in the document
        (:func:`verifier.plotting.plot_enclosure`): ``kind`` is ``"tube"``,
        ``"realization"`` or ``"risk"``; ``reference``: a :class:`verifier.Trajectory`."""
        return present(self, "plot", kind, reference=reference, **kwargs)

    # -- showing -------------------------------------------------------------------
    def _rows(self) -> list[tuple[str, str]]:
        d = self.data
        p = d["problem"]
        dens = "uniform" if p["density"] is None else p["density"]
        rows = [
            ("status", d["status"] + (f" ({self.reason})" if self.reason else "")),
            ("problem", f"f(x) = {p['target']} on [{p['domain'][0]}, {p['domain'][1]}], "
                        f"density {dens}, H = {p['width']}"),
            ("flow", d["flow"]),
            ("initial", ", ".join(f"{n} = {_show(v)}" for n, v in zip(self.names, d["initial"]))),
            ("horizon", f"T = {_time(d['horizon'])} (reached {_time(d['t_reached'])}), "
                        f"{len(d['steps'])} steps, prec {d['prec']} bits"),
            ("bounds", ", ".join(f"|v_{j + 1}| <= {r}" for j, r in enumerate(d["bounds"]["v"]))
             + f", |c| <= {d['bounds']['c']} for {times_text(d['bounds']['over'])}"),
        ]
        if d.get("trapping", {}).get("kind") not in (None, "none"):
            rows.append(("argument", d["trapping"]["kind"]))
        if self.notes.get("configuration"):
            rows.append(("terminal", ", ".join(
                f"neuron {j + 1} {c}" for j, c in enumerate(self.notes["configuration"]))))
        return rows

    def summary(self) -> str:
        return "\n".join(f"{k:>9}: {v}" for k, v in self._rows())

    def __repr__(self) -> str:
        return f"<Certificate {self.status}: {self.data['problem']['target']}, " \
               f"H={self.data['problem']['width']}, T={_time(self.data['horizon'])}>"

    def _repr_html_(self) -> str:
        body = "".join(f"<tr><th style='text-align:left'>{html.escape(k)}</th>"
                       f"<td style='text-align:left'>{html.escape(v)}</td></tr>"
                       for k, v in self._rows())
        return f"<table><caption>ngf-verifier certificate</caption>{body}</table>"

    def _repr_latex_(self) -> str:
        d = self.data
        vs = ", ".join(f"|v_{{{j + 1}}}| \\le {r}" for j, r in enumerate(d["bounds"]["v"]))
        return (f"$\\text{{{d['status']}}}:\\ {vs},\\ |c| \\le {d['bounds']['c']}"
                f"\\ \\text{{ for }} {_latex_over(times_text(d['bounds']['over']))}$")


_NUMBER = re.compile(r"-?[0-9]+(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?(?:/[0-9]+)?")


def _time(text: str) -> str:
    return time_text(parse_rational(text, "time", strict=True))


def times_text(text: str) -> str:
    """A time set of the file (``"0 <= t <= 768427791642317777/72057594037927936"``) for
    people: each number by :func:`verifier.arith.numbers.time_text` (an upper end rounded
    down, so the statement stays true: ``"0 <= t <= 10.664"``)."""
    return _NUMBER.sub(lambda m: _time(m.group(0)), text)


def _show(v: Any) -> str:
    return f"[{v[0]}, {v[1]}]" if isinstance(v, list) else str(v)


def _latex_over(text: str) -> str:
    return text.replace("<=", "\\le").replace(">=", "\\ge")
