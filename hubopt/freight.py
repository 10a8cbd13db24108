"""Sea freight as a voyage-cost model per ship class.

A sea leg's cost per tonne is what one voyage of one ship costs, divided by the cargo
it carries (the parcel)::

    voyage_days  = laden_sea_days + ballast_sea_days + port_days + waiting_days
    laden_sea_days   = distance_nm / (24 * laden_speed_kn)
    ballast_sea_days = ballast_share * distance_nm / (24 * ballast_speed_kn)
    port_days    = 2 * port_days_per_call + parcel_t / load_rate_t_per_day
                   + parcel_t / discharge_rate_t_per_day
    waiting_days = (1 + ballast_share) * waiting days of every passage on the route
    voyage_usd   = tce_usd_per_day * voyage_days                     (hire)
                 + bunker_usd_per_t * fuel_at_sea_t_per_day * sea days (fuel at sea)
                 + bunker_usd_per_t * fuel_in_port_t_per_day
                   * (port_days + waiting_days)                        (fuel in port)
                 + port cost of the loading call + of the discharging call
                   (each a lump sum, per GT and per day of the call)
                 + (1 + ballast_share) * dues of every passage on the route
    cost_per_t   = voyage_usd / parcel_t

``ballast_share`` is the part of the return voyage the cargo pays for, as a share of
the laden distance: 0 when the ship finds its next cargo at the discharge port, 1 when
it sails back empty all the way. Dues and waiting (e.g. at the Bosporus) are paid on
the laden passage and, in the same share, on the ballast one.

The parcel is what the ship can lift at the draft the shallower end allows (the
part-load rule, :meth:`ShipClass.lift_t`)::

    available_draft_m = draft_m of the berth, or depth_m - under_keel_clearance_m
    lift_t = deadweight_t - constants_t
             - tpc_t * 100 * max(0, design draft_m - available_draft_m)
    floored at 0, and capped by the lot size when one is given,

where ``tpc_t`` is the ship's tonnes per centimetre immersion at its design draft
(taken as constant over the drafts in question; the real figure falls slightly as the
ship rises, so the rule is on the safe side) and ``constants_t`` the consumables
allowance (bunkers, fresh water, stores and the ship's constant) that the deadweight
carries besides cargo. A class is admitted on a leg when its parcel is at least
``min_fill`` of its full cargo capacity; the leg's class is the largest admitted one
(the issue's rule, ``rule="largest"``) or the admitted one with the lowest cost per
tonne (``rule="cheapest"``). See docs/geography.md, "Sea freight: the voyage model".

The bundled values are in ``data/ship_classes.csv`` and ``data/voyage_parameters.csv``,
each row with its source, year, licence and confidence.
"""

from __future__ import annotations

import dataclasses
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from . import geo
from .errors import RouteError, ValidationError

#: Kilometres per nautical mile.
KM_PER_NM = 1.852

#: The columns every data row carries besides its values.
PROVENANCE_COLUMNS: tuple[str, ...] = ("source", "year", "licence", "confidence")
CONFIDENCE_LEVELS: tuple[str, ...] = ("H", "M", "L")

#: ship_classes.csv: value columns (all numbers) and whether each may be left empty.
SHIP_COLUMNS: dict[str, bool] = {
    "deadweight_t": False,
    "draft_m": False,
    "tpc_t": False,
    "laden_speed_kn": False,
    "ballast_speed_kn": False,
    "fuel_at_sea_t_per_day": False,
    "fuel_in_port_t_per_day": False,
    "tce_usd_per_day": False,
    "constants_t": True,
    "gross_tonnage": True,
}

#: voyage_parameters.csv: parameter -> (allowed units, needs a passage, required).
PARAMETERS: dict[str, tuple[tuple[str, ...], bool, bool]] = {
    "bunker_price": (("USD/t",), False, True),
    "ballast_share": (("share",), False, True),
    "load_rate": (("t/day",), False, True),
    "discharge_rate": (("t/day",), False, True),
    "port_days_per_call": (("days",), False, True),
    "under_keel_clearance": (("m",), False, True),
    "min_fill": (("share",), False, True),
    "price_year": (("year",), False, True),
    "co2_per_t_fuel": (("t/t",), False, False),
    "port_cost_load": (("USD", "USD/GT", "USD/day"), False, False),
    "port_cost_discharge": (("USD", "USD/GT", "USD/day"), False, False),
    "passage_dues": (("USD", "USD/GT"), True, False),
    "passage_days": (("days",), True, False),
}

#: Leg modes priced by the voyage model (see :func:`hubopt.legs.fill_leg_attributes`).
VOYAGE_MODES: tuple[str, ...] = ("sea_voyage",)


@dataclass(frozen=True)
class ShipClass:
    """One ship class: size, draft, speed, fuel and daily hire.

    Parameters
    ----------
    name
        The class name used in legs and tables (lower case), e.g. ``supramax``.
    deadweight_t
        Summer deadweight, tonnes.
    draft_m
        Design (summer) draft, metres.
    tpc_t
        Tonnes per centimetre immersion at the design draft.
    laden_speed_kn, ballast_speed_kn
        Service speeds, knots.
    fuel_at_sea_t_per_day, fuel_in_port_t_per_day
        Fuel burnt per day at sea (at the stated speeds) and in port, tonnes.
    tce_usd_per_day
        Daily time-charter equivalent earnings (hire, crew, capital), USD/day.
    constants_t
        Consumables allowance carried besides cargo (bunkers, water, stores, the
        ship's constant), tonnes.
    gross_tonnage
        Gross tonnage, for port costs or dues charged per GT (NaN when unknown).

    Examples
    --------
    >>> from hubopt.freight import ShipClass
    >>> ship = ShipClass("handy", 30_000, 10.0, 40.0, 12, 13, 20, 3, 10_000, 1_000)
    >>> ship.capacity_t, ship.lift_t(9.0)  # 1 m short of design draft: 4,000 t less
    (29000.0, 25000.0)
    """

    name: str
    deadweight_t: float
    draft_m: float
    tpc_t: float
    laden_speed_kn: float
    ballast_speed_kn: float
    fuel_at_sea_t_per_day: float
    fuel_in_port_t_per_day: float
    tce_usd_per_day: float
    constants_t: float = 0.0
    gross_tonnage: float = math.nan

    def __post_init__(self) -> None:
        problems = []
        for name in SHIP_COLUMNS:
            value = getattr(self, name)
            if name == "gross_tonnage" and math.isnan(value):
                continue
            if not math.isfinite(value) or value < 0:
                problems.append(f"{name} = {value!r} must be a finite number >= 0")
        for name in ("deadweight_t", "draft_m", "laden_speed_kn", "ballast_speed_kn"):
            if getattr(self, name) == 0:
                problems.append(f"{name} must be above zero")
        if not problems and self.constants_t >= self.deadweight_t:
            problems.append(
                f"constants_t {self.constants_t:g} leaves no cargo out of deadweight_t "
                f"{self.deadweight_t:g}"
            )
        if problems:
            msg = f"ship class {self.name!r}: " + "; ".join(problems)
            raise ValidationError(msg)

    @property
    def capacity_t(self) -> float:
        """Cargo the ship lifts at its design draft: deadweight less constants."""
        return float(self.deadweight_t - self.constants_t)

    def lift_t(self, available_draft_m: float = math.inf) -> float:
        """Cargo the ship can lift at ``available_draft_m`` (the part-load rule).

        ``capacity_t - tpc_t * 100 * (draft_m - available_draft_m)`` when the
        available draft is below the design draft, else ``capacity_t``; never
        below 0.
        """
        short_cm = max(0.0, self.draft_m - float(available_draft_m)) * 100.0
        return max(0.0, self.capacity_t - self.tpc_t * short_cm)

    def draft_for_t(self, cargo_t: float) -> float:
        """The draft (m) at which the ship carries ``cargo_t`` (inverse of lift_t)."""
        if self.tpc_t == 0:
            return float(self.draft_m)
        return float(self.draft_m - (self.capacity_t - cargo_t) / (self.tpc_t * 100))


@dataclass(frozen=True)
class Charge:
    """A charge per call or per passage: a lump sum, plus an amount per gross tonne,
    plus (port calls) an amount per day the ship stays.

    Examples
    --------
    >>> from hubopt.freight import Charge, ShipClass
    >>> ship = ShipClass("handy", 30_000, 10.0, 40.0, 12, 13, 20, 3, 10_000, 0, 20_000)
    >>> Charge(usd=1_000.0, usd_per_gt=0.5).for_ship(ship)
    11000.0
    >>> Charge(usd=1_000.0, usd_per_day=200.0).for_ship(ship, days=3.5)
    1700.0
    """

    usd: float = 0.0
    usd_per_gt: float = 0.0
    usd_per_day: float = 0.0

    def for_ship(self, ship: ShipClass, days: float = 0.0) -> float:
        """The charge for one call (of ``days`` in port) or passage of ``ship``."""
        timed = self.usd + self.usd_per_day * days
        if self.usd_per_gt == 0:
            return float(timed)
        if math.isnan(ship.gross_tonnage):
            msg = (
                f"ship class {ship.name!r}: a charge is per GT but the class has no "
                "gross_tonnage; add it to the ship classes table"
            )
            raise ValidationError(msg)
        return float(timed + self.usd_per_gt * ship.gross_tonnage)


def _lookup(charges: Mapping[tuple[str, str], Charge], key: str, ship: str) -> Charge:
    """The class's own charge, else the one for every class (''), else none."""
    return charges.get((key, ship)) or charges.get((key, "")) or Charge()


@dataclass(frozen=True)
class VoyageParameters:
    """Prices and port figures shared by every ship class.

    Parameters
    ----------
    bunker_usd_per_t
        Bunker (fuel) price, USD per tonne.
    ballast_share
        Share of the laden distance sailed back in ballast and paid by the cargo
        (0..1).
    load_rate_t_per_day, discharge_rate_t_per_day
        Cargo handling rates at the two ends, tonnes per day.
    port_days_per_call
        Fixed days per call besides cargo handling (waiting, berthing, formalities).
    port_costs
        Port costs per call, keyed by (``"load"`` or ``"discharge"``, class name or
        ``""`` for every class).
    dues
        Canal and strait dues per passage, keyed by (passage name of
        :data:`hubopt.geo.PASSAGES`, class name or ``""``); a passage without an entry
        is free.
    waiting_days
        Days waiting to transit, by passage name (at anchor: hire and port fuel).
    under_keel_clearance_m
        Water kept under the keel: a berth's depth less this is its available draft.
    min_fill
        The smallest share of its cargo capacity a class may sail with (0..1].
    price_year
        The year of the prices.
    co2_t_per_t_fuel
        Tonnes of CO2 per tonne of fuel burnt (NaN: CO2 not computed here).

    Examples
    --------
    >>> from hubopt.freight import VoyageParameters
    >>> VoyageParameters(500.0, 0.5, 10_000, 5_000, 1.0, min_fill=0.6).ballast_share
    0.5
    """

    bunker_usd_per_t: float
    ballast_share: float
    load_rate_t_per_day: float
    discharge_rate_t_per_day: float
    port_days_per_call: float
    port_costs: Mapping[tuple[str, str], Charge] = field(default_factory=dict)
    dues: Mapping[tuple[str, str], Charge] = field(default_factory=dict)
    waiting_days: Mapping[str, float] = field(default_factory=dict)
    under_keel_clearance_m: float = 0.0
    min_fill: float = 1.0
    price_year: int = 0
    co2_t_per_t_fuel: float = math.nan

    def __post_init__(self) -> None:
        problems = []
        for name in (
            "bunker_usd_per_t",
            "ballast_share",
            "load_rate_t_per_day",
            "discharge_rate_t_per_day",
            "port_days_per_call",
            "under_keel_clearance_m",
            "min_fill",
        ):
            value = getattr(self, name)
            if not math.isfinite(value) or value < 0:
                problems.append(f"{name} = {value!r} must be a finite number >= 0")
        if not 0 <= self.ballast_share <= 1:
            problems.append(f"ballast_share {self.ballast_share:g} is not in 0..1")
        if not 0 < self.min_fill <= 1:
            problems.append(f"min_fill {self.min_fill:g} is not in (0, 1]")
        for name in ("load_rate_t_per_day", "discharge_rate_t_per_day"):
            if getattr(self, name) == 0:
                problems.append(f"{name} must be above zero")
        for days in self.waiting_days.values():
            if not (math.isfinite(days) and days >= 0):
                problems.append(f"waiting days {days!r} must be a number >= 0")
        for key in (*self.port_costs, *self.dues):
            if not (isinstance(key, tuple) and len(key) == 2):
                problems.append(f"charge key {key!r} must be a (name, class) pair")
        for end, _ in self.port_costs:
            if end not in ("load", "discharge"):
                problems.append(f"port cost end {end!r} must be 'load' or 'discharge'")
        for passage in [*(k[0] for k in self.dues), *self.waiting_days]:
            if passage not in geo.PASSAGES:
                problems.append(
                    f"dues for unknown passage {passage!r}; known: "
                    f"{', '.join(sorted(geo.PASSAGES))}"
                )
        if problems:
            msg = "voyage parameters: " + "; ".join(problems)
            raise ValidationError(msg)

    def port_cost(self, end: str, ship: ShipClass, days: float = 0.0) -> float:
        """Port cost of one call of ``ship``, ``days`` long, at the loading or
        discharging end."""
        return _lookup(self.port_costs, end, ship.name).for_ship(ship, days)

    def passage_dues(self, passage: str, ship: ShipClass) -> float:
        """Dues of one passage of ``ship`` (0 for a passage without dues)."""
        return _lookup(self.dues, passage, ship.name).for_ship(ship)

    def available_draft_m(
        self, draft_m: float = math.nan, depth_m: float = math.nan
    ) -> float:
        """A berth's available draft: its stated maximum draft, else its depth less
        the under-keel clearance, else unlimited (inf) when neither is known."""
        if np.isfinite(draft_m):
            return float(draft_m)
        if np.isfinite(depth_m):
            return max(0.0, float(depth_m) - self.under_keel_clearance_m)
        return math.inf


@dataclass(frozen=True)
class Voyage:
    """One voyage priced term by term (USD), with its days, parcel and cost per t.

    ``transit_days`` is what the cargo spends: loading, the laden passage (with its
    waiting) and discharge (the ballast return is paid by the cargo but does not
    delay it).
    """

    ship_class: str
    parcel_t: float
    distance_nm: float
    laden_sea_days: float
    ballast_sea_days: float
    port_days: float
    waiting_days: float
    laden_waiting_days: float
    hire_usd: float
    fuel_at_sea_usd: float
    fuel_in_port_usd: float
    port_cost_load_usd: float
    port_cost_discharge_usd: float
    dues_usd: float
    fuel_t: float
    passages: tuple[str, ...] = ()
    co2_t_per_t_fuel: float = math.nan

    @property
    def voyage_days(self) -> float:
        return (
            self.laden_sea_days + self.ballast_sea_days + self.port_days
        ) + self.waiting_days

    @property
    def total_usd(self) -> float:
        return (
            self.hire_usd
            + self.fuel_at_sea_usd
            + self.fuel_in_port_usd
            + self.port_cost_load_usd
            + self.port_cost_discharge_usd
            + self.dues_usd
        )

    @property
    def cost_per_t(self) -> float:
        return self.total_usd / self.parcel_t

    @property
    def transit_days(self) -> float:
        return self.laden_sea_days + self.port_days + self.laden_waiting_days

    @property
    def co2_kg_per_t(self) -> float:
        """CO2 of the fuel burnt over the whole voyage, kg per tonne of cargo."""
        return 1000.0 * self.fuel_t * self.co2_t_per_t_fuel / self.parcel_t

    def breakdown(self) -> dict[str, float]:
        """Each cost term in USD per tonne of cargo, and the total."""
        terms = {
            "hire": self.hire_usd,
            "fuel_at_sea": self.fuel_at_sea_usd,
            "fuel_in_port": self.fuel_in_port_usd,
            "port_cost_load": self.port_cost_load_usd,
            "port_cost_discharge": self.port_cost_discharge_usd,
            "dues": self.dues_usd,
        }
        out = {k: v / self.parcel_t for k, v in terms.items()}
        out["total"] = self.cost_per_t
        return out


def voyage_cost(
    ship: ShipClass,
    parameters: VoyageParameters,
    distance_km: float,
    *,
    parcel_t: float | None = None,
    available_draft_m: float = math.inf,
    passages: Iterable[str] = (),
) -> Voyage:
    """Price one voyage of ``ship`` over ``distance_km`` (see the module docstring).

    Parameters
    ----------
    ship, parameters
        The ship class and the shared voyage parameters.
    distance_km
        Sea distance from the loading to the discharging berth.
    parcel_t
        Cargo carried; by default what the ship lifts at ``available_draft_m``. A
        larger figure is cut to that lift.
    available_draft_m
        Draft available at the shallower end.
    passages
        Passages crossed (dues are looked up by name; see :data:`hubopt.geo.PASSAGES`).

    Returns
    -------
    Voyage

    Raises
    ------
    ValidationError
        When the distance is not a finite positive number or the parcel is zero.

    Examples
    --------
    >>> from hubopt.freight import ShipClass, VoyageParameters, voyage_cost
    >>> ship = ShipClass("handy", 30_000, 10.0, 40.0, 12, 12, 20, 2, 10_000, 0)
    >>> params = VoyageParameters(500.0, 0.0, 10_000, 10_000, 0.0)
    >>> v = voyage_cost(ship, params, 24 * 12 * 1.852 * 10, parcel_t=20_000)
    >>> v.laden_sea_days, v.port_days  # 10 days at 12 kn; 2 + 2 days in port
    (10.0, 4.0)
    >>> round(v.cost_per_t, 2)  # (14 x 10,000 + 500 x (20 x 10 + 2 x 4)) / 20,000
    12.2
    """
    if not (np.isfinite(distance_km) and distance_km >= 0):
        msg = f"voyage of {ship.name!r}: distance_km {distance_km!r} must be >= 0"
        raise ValidationError(msg)
    lift = ship.lift_t(available_draft_m)
    parcel = lift if parcel_t is None else min(float(parcel_t), lift)
    if not parcel > 0:
        msg = (
            f"voyage of {ship.name!r}: no cargo (parcel {parcel:g} t; the ship lifts "
            f"{lift:g} t at an available draft of {available_draft_m:g} m)"
        )
        raise ValidationError(msg)
    p = parameters
    nm = float(distance_km) / KM_PER_NM
    laden = nm / (24.0 * ship.laden_speed_kn)
    ballast = p.ballast_share * nm / (24.0 * ship.ballast_speed_kn)
    load_days = p.port_days_per_call + parcel / p.load_rate_t_per_day
    discharge_days = p.port_days_per_call + parcel / p.discharge_rate_t_per_day
    port = load_days + discharge_days
    crossed = tuple(passages)
    dues = sum(p.passage_dues(name, ship) for name in crossed) * (1 + p.ballast_share)
    laden_wait = sum(p.waiting_days.get(name, 0.0) for name in crossed)
    wait = laden_wait * (1 + p.ballast_share)
    sea_fuel = ship.fuel_at_sea_t_per_day * (laden + ballast)
    port_fuel = ship.fuel_in_port_t_per_day * (port + wait)
    return Voyage(
        ship_class=ship.name,
        parcel_t=parcel,
        distance_nm=nm,
        laden_sea_days=laden,
        ballast_sea_days=ballast,
        port_days=port,
        waiting_days=wait,
        laden_waiting_days=laden_wait,
        hire_usd=ship.tce_usd_per_day * (laden + ballast + port + wait),
        fuel_at_sea_usd=p.bunker_usd_per_t * sea_fuel,
        fuel_in_port_usd=p.bunker_usd_per_t * port_fuel,
        port_cost_load_usd=p.port_cost("load", ship, load_days),
        port_cost_discharge_usd=p.port_cost("discharge", ship, discharge_days),
        dues_usd=dues,
        fuel_t=sea_fuel + port_fuel,
        passages=crossed,
        co2_t_per_t_fuel=p.co2_t_per_t_fuel,
    )


@dataclass(frozen=True)
class FreightModel:
    """Ship classes (smallest first) and the voyage parameters they share.

    Examples
    --------
    >>> from hubopt.freight import FreightModel, ShipClass, VoyageParameters
    >>> small = ShipClass("coaster", 6_000, 6.0, 15.0, 11, 12, 8, 1, 6_000, 300)
    >>> big = ShipClass("handy", 30_000, 10.0, 40.0, 12, 13, 20, 3, 10_000, 1_000)
    >>> model = FreightModel((big, small), VoyageParameters(500, 0.5, 8e3, 5e3, 1.0,
    ...     min_fill=0.6))
    >>> [s.name for s in model.classes]
    ['coaster', 'handy']
    >>> [s.name for s in model.admitted(available_draft_m=7.0)]  # handy: 13 kt < 60 %
    ['coaster']
    """

    classes: tuple[ShipClass, ...]
    parameters: VoyageParameters

    def __post_init__(self) -> None:
        classes = tuple(sorted(self.classes, key=lambda s: s.deadweight_t))
        names = [s.name for s in classes]
        if not classes:
            msg = "freight model: no ship classes; add rows to the ship classes table"
            raise ValidationError(msg)
        twice = sorted({n for n in names if names.count(n) > 1})
        if twice:
            msg = f"freight model: ship class(es) {twice} listed more than once"
            raise ValidationError(msg)
        object.__setattr__(self, "classes", classes)

    def ship(self, name: str) -> ShipClass:
        """The class called ``name``."""
        key = str(name).strip().lower()
        for ship in self.classes:
            if ship.name == key:
                return ship
        msg = (
            f"ship class {name!r} is not in the ship classes table; known: "
            f"{', '.join(s.name for s in self.classes)}"
        )
        raise ValidationError(msg)

    def parcel_t(
        self, ship: ShipClass, available_draft_m: float, lot_t: float = math.inf
    ) -> float:
        """The ship's parcel: its lift at the draft, cut to the lot size."""
        return min(ship.lift_t(available_draft_m), float(lot_t))

    def admitted(
        self, available_draft_m: float = math.inf, lot_t: float = math.inf
    ) -> list[ShipClass]:
        """Classes whose parcel reaches ``min_fill`` of their capacity, smallest
        first."""
        fill = self.parameters.min_fill
        return [
            s
            for s in self.classes
            if self.parcel_t(s, available_draft_m, lot_t) >= fill * s.capacity_t - 1e-9
        ]

    def voyage(
        self,
        distance_km: float,
        *,
        available_draft_m: float = math.inf,
        passages: Iterable[str] = (),
        lot_t: float = math.inf,
        ship_class: str | None = None,
        rule: str = "largest",
        load_rate_t_per_day: float = math.nan,
        discharge_rate_t_per_day: float = math.nan,
    ) -> Voyage:
        """The voyage of the leg's class (see the module docstring for the rule).

        Parameters
        ----------
        distance_km, passages
            As for :func:`voyage_cost`.
        available_draft_m
            Draft available at the shallower end.
        lot_t
            Largest parcel the trade takes (a tender lot); inf for none.
        ship_class
            Force this class (it part-loads as needed but must reach ``min_fill``).
        rule
            ``"largest"``: the largest admitted class; ``"cheapest"``: the admitted
            class with the lowest cost per tonne.
        load_rate_t_per_day, discharge_rate_t_per_day
            The two ports' own handling rates; NaN: the parameters' rates.

        Raises
        ------
        RouteError
            When no class (or not the forced one) can sail with ``min_fill`` at
            the available draft and lot; the message gives the draft each class
            needs.
        """
        if rule not in ("largest", "cheapest"):
            msg = f"rule must be 'largest' or 'cheapest', got {rule!r}"
            raise ValidationError(msg)
        admitted = self.admitted(available_draft_m, lot_t)
        if ship_class is not None:
            forced = self.ship(ship_class)
            admitted = [s for s in admitted if s.name == forced.name]
        if not admitted:
            raise RouteError(self._none_fits(available_draft_m, lot_t, ship_class))
        crossed = tuple(passages)
        params = self.parameters
        rates = {
            "load_rate_t_per_day": load_rate_t_per_day,
            "discharge_rate_t_per_day": discharge_rate_t_per_day,
        }
        given = {k: float(v) for k, v in rates.items() if np.isfinite(v)}
        if given:
            params = dataclasses.replace(params, **given)
        voyages = [
            voyage_cost(
                s,
                params,
                distance_km,
                parcel_t=self.parcel_t(s, available_draft_m, lot_t),
                available_draft_m=available_draft_m,
                passages=crossed,
            )
            for s in admitted
        ]
        if rule == "largest":
            return voyages[-1]
        return min(voyages, key=lambda v: v.cost_per_t)

    def _none_fits(
        self, available_draft_m: float, lot_t: float, ship_class: str | None
    ) -> str:
        fill = self.parameters.min_fill
        ships = [self.ship(ship_class)] if ship_class is not None else self.classes
        needs = []
        for s in ships:
            if lot_t < fill * s.capacity_t:
                needs.append(f"{s.name} needs a lot of {fill * s.capacity_t:,.0f} t")
            else:
                need = s.draft_for_t(fill * s.capacity_t)
                needs.append(f"{s.name} needs {need:.2f} m")
        return (
            f"no ship class can sail at an available draft of {available_draft_m:g} m "
            f"with a lot of {lot_t:g} t and at least {fill:.0%} of its capacity: "
            f"{'; '.join(needs)}"
        )


# ------------------------------------------------------------------------------------
# the two tables
# ------------------------------------------------------------------------------------
def _bundled(name: str) -> Any:
    """A bundled table: data/ beside a source checkout first (an editable install
    may map ``hubopt.data`` to another checkout), else the package's ``hubopt.data``."""
    local = Path(__file__).resolve().parent.parent / "data" / name
    if local.is_file():
        return local
    return resources.files("hubopt.data").joinpath(name)


def _read(source: pd.DataFrame | str | Path | None, name: str, table: str):
    if isinstance(source, pd.DataFrame):
        return source.copy()
    try:
        if source is None:
            with _bundled(name).open("r", encoding="utf-8") as handle:
                return pd.read_csv(handle, keep_default_na=False, na_values=[""])
        return pd.read_csv(source, keep_default_na=False, na_values=[""])
    except FileNotFoundError as exc:
        msg = f"table '{table}': file {str(source or name)!r} not found"
        raise ValidationError(msg) from exc


def _blank(value: Any) -> bool:
    return (
        value is None
        or (isinstance(value, float) and np.isnan(value))
        or (isinstance(value, str) and not value.strip())
    )


def _provenance(frame: pd.DataFrame, table: str, labels: list[str]) -> list[str]:
    """Every row names its source, a year (YYYY or YYYY-YYYY), licence, confidence."""
    problems = []
    for col in PROVENANCE_COLUMNS:
        if col not in frame.columns:
            problems.append(f"table '{table}': missing required column '{col}'")
    if problems:
        return problems
    for label, (_, row) in zip(labels, frame.iterrows(), strict=True):
        where = f"table '{table}', {label}"
        for col in ("source", "licence"):
            if _blank(row[col]):
                problems.append(
                    f"{where}, column '{col}': empty; every figure states its {col}"
                )
        year = "" if _blank(row["year"]) else str(row["year"]).strip()
        if not re.fullmatch(r"(19|20)\d\d(\.0)?(\s*-\s*(19|20)?\d\d)?", year):
            problems.append(
                f"{where}, column 'year': {row['year']!r} is not a year; write e.g. "
                "2024 or 2024-2025"
            )
        conf = "" if _blank(row["confidence"]) else str(row["confidence"]).strip()
        if conf not in CONFIDENCE_LEVELS:
            problems.append(
                f"{where}, column 'confidence': {row['confidence']!r}; use one of "
                f"{', '.join(CONFIDENCE_LEVELS)}"
            )
    return problems


def load_ship_classes(
    source: pd.DataFrame | str | Path | None = None,
) -> tuple[ShipClass, ...]:
    """Read and check a ship classes table (the bundled data/ship_classes.csv when
    None).

    Columns: ``ship_class``, the numbers of :data:`SHIP_COLUMNS` (``constants_t``
    and ``gross_tonnage`` may be empty) and source, year, licence, confidence.

    Raises
    ------
    ValidationError
        Listing every problem by table, class, column and value.

    Examples
    --------
    >>> import pandas as pd
    >>> from hubopt.freight import load_ship_classes
    >>> table = pd.DataFrame([{
    ...     "ship_class": "Handy", "deadweight_t": 30_000, "draft_m": 10.0,
    ...     "tpc_t": 40.0, "laden_speed_kn": 12, "ballast_speed_kn": 13,
    ...     "fuel_at_sea_t_per_day": 20, "fuel_in_port_t_per_day": 3,
    ...     "tce_usd_per_day": 10_000, "constants_t": 1_000, "gross_tonnage": None,
    ...     "source": "made up", "year": 2024, "licence": "CC0", "confidence": "L"}])
    >>> [(s.name, s.capacity_t) for s in load_ship_classes(table)]
    [('handy', 29000.0)]
    >>> try:
    ...     load_ship_classes(table.assign(draft_m="deep"))
    ... except ValueError as exc:
    ...     print(exc.problems[0].split(", ", 1)[1])
    ship class 'handy', column 'draft_m': 'deep' is not a finite number
    """
    table = "ship_classes"
    frame = _read(source, "ship_classes.csv", table)
    frame.columns = [str(c).strip() for c in frame.columns]
    missing = [c for c in ("ship_class", *SHIP_COLUMNS) if c not in frame.columns]
    if missing:
        raise ValidationError(
            [f"table '{table}': missing required column '{c}'" for c in missing]
        )
    frame = frame.reset_index(drop=True)
    names = ["" if _blank(v) else str(v).strip().lower() for v in frame["ship_class"]]
    labels = [f"ship class '{n}'" if n else f"row {i + 1}" for i, n in enumerate(names)]
    problems = []
    for label, name in zip(labels, names, strict=True):
        if not name:
            problems.append(f"table '{table}', {label}, column 'ship_class': empty")
    for name in sorted({n for n in names if n and names.count(n) > 1}):
        problems.append(f"table '{table}', ship class '{name}': listed more than once")
    values: dict[str, np.ndarray] = {}
    for col, optional in SHIP_COLUMNS.items():
        numbers = pd.to_numeric(frame[col], errors="coerce").to_numpy(float)
        for label, raw, value in zip(labels, frame[col], numbers, strict=True):
            where = f"table '{table}', {label}, column '{col}'"
            if optional and _blank(raw):
                continue
            if not np.isfinite(value):
                problems.append(f"{where}: {raw!r} is not a finite number")
            elif value < 0 or (value == 0 and not optional and col[:4] != "fuel"):
                problems.append(f"{where}: {value:g} must be above zero")
        values[col] = numbers
    problems.extend(_provenance(frame, table, labels))
    if problems:
        raise ValidationError(problems)
    ships = []
    for pos, name in enumerate(names):
        kwargs = {c: float(values[c][pos]) for c in SHIP_COLUMNS}
        if not np.isfinite(kwargs["constants_t"]):
            kwargs["constants_t"] = 0.0
        try:
            ships.append(ShipClass(name, **kwargs))
        except ValidationError as exc:
            problems.append(f"table '{table}', {labels[pos]}: {exc.problems[0]}")
    if problems:
        raise ValidationError(problems)
    return tuple(ships)


def load_voyage_parameters(
    source: pd.DataFrame | str | Path | None = None,
    ship_classes: Iterable[str] | None = None,
) -> VoyageParameters:
    """Read and check a voyage parameters table (data/voyage_parameters.csv when None).

    One row per figure: ``parameter`` (a name of :data:`PARAMETERS`), ``ship_class``
    (empty: every class), ``passage`` (for ``passage_dues``), ``value``, ``unit``
    and source, year, licence, confidence. Port costs and dues in ``USD/GT`` are
    multiplied by the class's gross tonnage, port costs in ``USD/day`` by the days
    of the call (fixed port days plus cargo handling); rows of one charge in
    different units add up.

    Parameters
    ----------
    source
        A DataFrame or CSV path; None for the bundled table.
    ship_classes
        Known class names, to check the ``ship_class`` column against.

    Raises
    ------
    ValidationError
        Listing every problem by table, row, column and value.
    """
    table = "voyage_parameters"
    frame = _read(source, "voyage_parameters.csv", table)
    frame.columns = [str(c).strip() for c in frame.columns]
    missing = [
        c
        for c in ("parameter", "ship_class", "passage", "value", "unit")
        if c not in frame.columns
    ]
    if missing:
        raise ValidationError(
            [f"table '{table}': missing required column '{c}'" for c in missing]
        )
    frame = frame.reset_index(drop=True)

    def text(col: str) -> list[str]:
        return ["" if _blank(v) else str(v).strip() for v in frame[col]]

    params = [p.lower() for p in text("parameter")]
    classes = [c.lower() for c in text("ship_class")]
    passages = [p.lower() for p in text("passage")]
    units = text("unit")
    numbers = pd.to_numeric(frame["value"], errors="coerce").to_numpy(float)
    labels = [
        f"row {i + 1} ({p}{'/' + c if c else ''}{'/' + g if g else ''})"
        for i, (p, c, g) in enumerate(zip(params, classes, passages, strict=True))
    ]
    known = None if ship_classes is None else {str(c).lower() for c in ship_classes}
    problems: list[str] = []
    scalars: dict[str, float] = {}
    port_costs: dict[tuple[str, str], Charge] = {}
    dues: dict[tuple[str, str], Charge] = {}
    waiting: dict[str, float] = {}
    seen: set[tuple[str, str, str, str]] = set()
    for pos, param in enumerate(params):
        where = f"table '{table}', {labels[pos]}"
        if param not in PARAMETERS:
            problems.append(
                f"{where}, column 'parameter': unknown parameter {param!r}; use one "
                f"of {', '.join(PARAMETERS)}"
            )
            continue
        allowed, needs_passage, _ = PARAMETERS[param]
        unit, ship, passage, value = (
            units[pos],
            classes[pos],
            passages[pos],
            float(numbers[pos]),
        )
        bad = False
        if unit not in allowed:
            problems.append(
                f"{where}, column 'unit': {unit!r}; {param} is in "
                f"{' or '.join(allowed)}"
            )
            bad = True
        if not np.isfinite(value) or value < 0:
            problems.append(
                f"{where}, column 'value': {frame['value'].iloc[pos]!r} is not a "
                "finite number >= 0"
            )
            bad = True
        if needs_passage and passage not in geo.PASSAGES:
            problems.append(
                f"{where}, column 'passage': {passage!r} is not a passage; use one of "
                f"{', '.join(sorted(geo.PASSAGES))}"
            )
            bad = True
        if not needs_passage and passage:
            problems.append(
                f"{where}, column 'passage': {passage!r} given for {param}, which "
                "is not per passage; leave it empty"
            )
            bad = True
        if ship and known is not None and ship not in known:
            problems.append(
                f"{where}, column 'ship_class': unknown class {ship!r}; known: "
                f"{', '.join(sorted(known))}"
            )
            bad = True
        if ship and param not in (
            "port_cost_load",
            "port_cost_discharge",
            "passage_dues",
        ):
            problems.append(
                f"{where}, column 'ship_class': {param} is the same for every class; "
                "leave ship_class empty"
            )
            bad = True
        key = (param, ship, passage, unit)
        if key in seen:
            problems.append(f"{where}: listed more than once")
            bad = True
        seen.add(key)
        if bad:
            continue
        part = {"USD": "usd", "USD/GT": "usd_per_gt", "USD/day": "usd_per_day"}
        if param.startswith("port_cost_"):
            end = (param.removeprefix("port_cost_"), ship)
            before = port_costs.get(end, Charge())
            port_costs[end] = dataclasses.replace(before, **{part[unit]: value})
        elif param == "passage_dues":
            before = dues.get((passage, ship), Charge())
            dues[(passage, ship)] = dataclasses.replace(before, **{part[unit]: value})
        elif param == "passage_days":
            waiting[passage] = float(value)
        else:
            scalars[param] = float(value)
    for param, (_, _, required) in PARAMETERS.items():
        if required and param not in params:
            problems.append(
                f"table '{table}': no row for required parameter '{param}'; add one "
                "with its value, unit and source"
            )
    problems.extend(_provenance(frame, table, labels))
    if problems:
        raise ValidationError(problems)
    try:
        return VoyageParameters(
            bunker_usd_per_t=scalars["bunker_price"],
            ballast_share=scalars["ballast_share"],
            load_rate_t_per_day=scalars["load_rate"],
            discharge_rate_t_per_day=scalars["discharge_rate"],
            port_days_per_call=scalars["port_days_per_call"],
            port_costs=port_costs,
            dues=dues,
            waiting_days=waiting,
            under_keel_clearance_m=scalars["under_keel_clearance"],
            min_fill=scalars["min_fill"],
            price_year=int(scalars["price_year"]),
            co2_t_per_t_fuel=scalars.get("co2_per_t_fuel", math.nan),
        )
    except ValidationError as exc:
        msg = f"table '{table}': {exc.problems[0]}"
        raise ValidationError(msg) from exc


def load_freight(
    ship_classes: pd.DataFrame | str | Path | None = None,
    voyage_parameters: pd.DataFrame | str | Path | None = None,
) -> FreightModel:
    """The freight model from the two tables (the bundled ones for None).

    Raises
    ------
    ValidationError
        Listing every problem of either table.

    Examples
    --------
    >>> from hubopt.freight import load_freight
    >>> model = load_freight()
    >>> [s.name for s in model.classes]
    ['coaster', 'handysize', 'supramax', 'panamax']
    >>> v = model.voyage(2_200.0, available_draft_m=9.0, rule="cheapest")
    >>> v.ship_class, round(v.parcel_t)
    ('handysize', 24214)
    """
    ships = load_ship_classes(ship_classes)
    params = load_voyage_parameters(voyage_parameters, [s.name for s in ships])
    return FreightModel(ships, params)


# ------------------------------------------------------------------------------------
# ports and legs
# ------------------------------------------------------------------------------------
#: Node and waypoint columns that give a berth's draft limit, in order of preference:
#: the maximum permitted draft at the grain berth, then the water depth alongside
#: (less the under-keel clearance).
DEPTH_COLUMNS: tuple[str, ...] = ("draft_m", "depth_m")


def available_drafts(
    table: pd.DataFrame, parameters: VoyageParameters, name: str = "ports"
) -> dict[str, float]:
    """Available draft (m) of every row of a node or waypoint table, by id.

    ``draft_m`` when given, else ``depth_m`` less the under-keel clearance; NaN when
    the row has neither (the caller decides whether that is an error).

    Raises
    ------
    ValidationError
        For a value that is not a number >= 0 (naming table, id and column).
    """
    out: dict[str, float] = {}
    problems = []
    ids = [str(v).strip() for v in table["id"]]
    columns = {c: table[c] if c in table.columns else None for c in DEPTH_COLUMNS}
    values: dict[str, np.ndarray] = {}
    for col, series in columns.items():
        if series is None:
            values[col] = np.full(len(ids), np.nan)
            continue
        numbers = pd.to_numeric(series, errors="coerce").to_numpy(float)
        for node, raw, value in zip(ids, series, numbers, strict=True):
            if _blank(raw):
                continue
            if not np.isfinite(value) or value < 0:
                problems.append(
                    f"table '{name}', id '{node}', column '{col}': {raw!r} is not a "
                    "depth in metres (a number >= 0)"
                )
        values[col] = numbers
    if problems:
        raise ValidationError(problems)
    for pos, node in enumerate(ids):
        draft = parameters.available_draft_m(
            values["draft_m"][pos], values["depth_m"][pos]
        )
        out[node] = draft if np.isfinite(draft) else math.nan
    return out


#: Node and waypoint columns that give a port's own cargo handling rates (t/day),
#: used instead of the voyage parameters' rates when given.
RATE_COLUMNS: tuple[str, ...] = ("load_rate_t_per_day", "discharge_rate_t_per_day")


def handling_rates(
    table: pd.DataFrame, name: str = "ports"
) -> dict[str, tuple[float, float]]:
    """(load, discharge) rate in t/day of every row by id; NaN where not given.

    Raises
    ------
    ValidationError
        For a rate that is not a number above zero (naming table, id and column).
    """
    ids = [str(v).strip() for v in table["id"]]
    values = {}
    problems = []
    for col in RATE_COLUMNS:
        if col not in table.columns:
            values[col] = np.full(len(ids), np.nan)
            continue
        numbers = pd.to_numeric(table[col], errors="coerce").to_numpy(float)
        for node, raw, value in zip(ids, table[col], numbers, strict=True):
            if not _blank(raw) and not (np.isfinite(value) and value > 0):
                problems.append(
                    f"table '{name}', id '{node}', column '{col}': {raw!r} is not a "
                    "rate in t/day (a number above zero)"
                )
        values[col] = numbers
    if problems:
        raise ValidationError(problems)
    load, discharge = values[RATE_COLUMNS[0]], values[RATE_COLUMNS[1]]
    return {
        n: (float(a), float(b)) for n, a, b in zip(ids, load, discharge, strict=True)
    }


def price_sea_legs(
    ports: pd.DataFrame,
    pairs: Iterable[tuple[str, str]],
    model: FreightModel | None = None,
    *,
    avoid: Iterable[str] = (),
    lot_t: float = math.inf,
    rule: str = "largest",
) -> pd.DataFrame:
    """Route and price sea legs between ports with the voyage model.

    The function a data builder calls to price its sea legs: each pair is routed on
    the sea graph (with the passages it crosses) and priced for the class chosen at
    the shallower end's available draft.

    Parameters
    ----------
    ports
        Table with ``id``, ``lon``, ``lat`` and ``draft_m`` and/or ``depth_m``;
        optionally ``load_rate_t_per_day`` and ``discharge_rate_t_per_day`` (the
        port's own rates).
    pairs
        (from id, to id) pairs.
    model
        The freight model; the bundled tables when None.
    avoid
        Passages closed to the routes.
    lot_t, rule
        As for :meth:`FreightModel.voyage`.

    Returns
    -------
    pandas.DataFrame
        One row per pair: origin, destination, ship_class, parcel_t, distance_km,
        cost_per_t, transit_days, co2_kg_per_t (NaN without a CO2 factor), passages
        (';'-joined), available_draft_m, and the cost terms per tonne
        (``hire_per_t``, ``fuel_at_sea_per_t``, ...).

    Raises
    ------
    ValidationError
        For an unknown id, a port without depth, or an unreadable depth.
    RouteError
        When a pair has no sea route or no class fits its draft.
    """
    model = load_freight() if model is None else model
    pairs = [(str(a), str(b)) for a, b in pairs]
    ports = ports.reset_index(drop=True)
    ids = [str(v).strip() for v in ports["id"]]
    drafts = available_drafts(ports, model.parameters)
    rates = handling_rates(ports)
    where = {n: i for i, n in enumerate(ids)}
    problems = []
    for node in sorted({n for pair in pairs for n in pair}):
        if node not in where:
            problems.append(f"table 'ports': no row with id '{node}'")
        elif np.isnan(drafts[node]):
            problems.append(
                f"table 'ports', id '{node}', columns draft_m/depth_m: both empty; "
                "give the grain berth's maximum draft (draft_m) or depth (depth_m)"
            )
    if problems:
        raise ValidationError(problems)
    lonlat = ports[["lon", "lat"]].to_numpy(float)
    starts = sorted({a for a, _ in pairs})
    ends = sorted({b for _, b in pairs})
    routes = geo.sea_routes_with_passages(
        lonlat[[where[a] for a in starts]],
        lonlat[[where[b] for b in ends]],
        avoid=avoid,
    )
    row = {n: i for i, n in enumerate(starts)}
    col = {n: j for j, n in enumerate(ends)}
    records = []
    for a, b in pairs:
        km = float(routes.distance_km[row[a], col[b]])
        if not np.isfinite(km):
            msg = f"sea leg {a}->{b}: no sea route with passages {list(avoid)} closed"
            raise RouteError(msg)
        draft = min(drafts[a], drafts[b])
        crossed = routes.passages[row[a]][col[b]]
        try:
            v = model.voyage(
                km,
                available_draft_m=draft,
                passages=crossed,
                lot_t=lot_t,
                rule=rule,
                load_rate_t_per_day=rates[a][0],
                discharge_rate_t_per_day=rates[b][1],
            )
        except RouteError as exc:
            msg = f"sea leg {a}->{b}: {exc}"
            raise RouteError(msg) from exc
        record = {
            "origin": a,
            "destination": b,
            "ship_class": v.ship_class,
            "parcel_t": v.parcel_t,
            "distance_km": km,
            "cost_per_t": v.cost_per_t,
            "transit_days": v.transit_days,
            "co2_kg_per_t": v.co2_kg_per_t,
            "passages": ";".join(crossed),
            "available_draft_m": draft,
        }
        record.update(
            {f"{k}_per_t": x for k, x in v.breakdown().items() if k != "total"}
        )
        records.append(record)
    return pd.DataFrame(records)


def implied_tce(
    ship: ShipClass,
    parameters: VoyageParameters,
    distance_km: float,
    rate_usd_per_t: float,
    *,
    parcel_t: float | None = None,
    passages: Iterable[str] = (),
) -> float:
    """The daily hire (USD/day) at which the voyage model gives ``rate_usd_per_t``.

    Cost per tonne is linear in the hire, so this is exact: the published freight
    times the parcel, less every other voyage cost, over the voyage days. It turns a
    published route rate into a time-charter equivalent comparable with the index
    figures (and derives a class's hire from a route rate when no index exists).

    Examples
    --------
    >>> from hubopt.freight import ShipClass, VoyageParameters, implied_tce
    >>> ship = ShipClass("handy", 30_000, 10.0, 40.0, 12, 12, 20, 2, 10_000, 0)
    >>> params = VoyageParameters(500.0, 0.0, 10_000, 10_000, 0.0)
    >>> km = 24 * 12 * 1.852 * 10  # 10 days at sea, 4 in port, 20,000 t
    >>> round(implied_tce(ship, params, km, 12.2, parcel_t=20_000))
    10000
    """
    v = voyage_cost(ship, parameters, distance_km, parcel_t=parcel_t, passages=passages)
    other = v.total_usd - v.hire_usd
    return float((rate_usd_per_t * v.parcel_t - other) / v.voyage_days)


#: Columns of the calibration routes table (data/freight_calibration.csv).
CALIBRATION_COLUMNS: tuple[str, ...] = (
    "id",
    "route",
    "from_lon",
    "from_lat",
    "to_lon",
    "to_lat",
    "ship_class",
    "parcel_t",
    "load_rate_t_per_day",
    "discharge_rate_t_per_day",
    "published_low_usd_per_t",
    "published_high_usd_per_t",
    "fixture_tce_usd_per_day",
    "period",
)


def calibration(
    routes: pd.DataFrame | str | Path | None = None,
    model: FreightModel | None = None,
) -> pd.DataFrame:
    """The model's cost per tonne on published routes, against the published rates.

    Each route (a row of data/freight_calibration.csv by default) is sailed by its
    stated class with its stated parcel (the fixture shows the ports took it, so no
    draft limit applies) and, where the fixture gives them, its own load and
    discharge rates.

    Returns
    -------
    pandas.DataFrame
        Per route: id, route, period, ship_class, parcel_t, distance_nm, passages,
        published_usd_per_t (the midpoint), model_usd_per_t (the model's inputs),
        model_to_published, implied_tce_usd_per_day (the hire that reproduces the
        published rate), tce_usd_per_day (the model's), fixture_tce_usd_per_day
        (the broker's stated equivalent, NaN if none) and
        model_at_fixture_tce_usd_per_t.

    Raises
    ------
    ValidationError
        For a table without the columns of :data:`CALIBRATION_COLUMNS` and
        provenance, an unknown class or a value that is not a number.
    """
    model = load_freight() if model is None else model
    table = "freight_calibration"
    frame = _read(routes, "freight_calibration.csv", table).reset_index(drop=True)
    missing = [c for c in CALIBRATION_COLUMNS if c not in frame.columns]
    if missing:
        raise ValidationError(
            [f"table '{table}': missing required column '{c}'" for c in missing]
        )
    labels = [f"route '{r}'" for r in frame["id"]]
    problems = _provenance(frame, table, labels)
    optional = {
        "load_rate_t_per_day",
        "discharge_rate_t_per_day",
        "fixture_tce_usd_per_day",
    }
    numbers: dict[str, np.ndarray] = {}
    for col in CALIBRATION_COLUMNS[2:13]:
        if col == "ship_class":
            continue
        numbers[col] = pd.to_numeric(frame[col], errors="coerce").to_numpy(float)
        for label, raw, value in zip(labels, frame[col], numbers[col], strict=True):
            if col in optional and _blank(raw):
                continue
            if not np.isfinite(value):
                problems.append(
                    f"table '{table}', {label}, column '{col}': {raw!r} is not a number"
                )
    for label, name in zip(labels, frame["ship_class"], strict=True):
        try:
            model.ship(name)
        except ValidationError as exc:
            problems.append(f"table '{table}', {label}, column 'ship_class': {exc}")
    if problems:
        raise ValidationError(problems)
    src = np.column_stack([numbers["from_lon"], numbers["from_lat"]])
    dst = np.column_stack([numbers["to_lon"], numbers["to_lat"]])
    records = []
    for pos, row in frame.iterrows():
        routes_ = geo.sea_routes_with_passages(src[[pos]], dst[[pos]])
        km = float(routes_.distance_km[0, 0])
        crossed = routes_.passages[0][0]
        ship = model.ship(row["ship_class"])
        params = model.parameters
        for col, attr in (
            ("load_rate_t_per_day", "load_rate_t_per_day"),
            ("discharge_rate_t_per_day", "discharge_rate_t_per_day"),
        ):
            if np.isfinite(numbers[col][pos]):
                params = dataclasses.replace(params, **{attr: numbers[col][pos]})
        parcel = numbers["parcel_t"][pos]
        v = voyage_cost(ship, params, km, parcel_t=parcel, passages=crossed)
        low = numbers["published_low_usd_per_t"][pos]
        high = numbers["published_high_usd_per_t"][pos]
        mid = (low + high) / 2
        fixture = numbers["fixture_tce_usd_per_day"][pos]
        at_fixture = math.nan
        if np.isfinite(fixture):
            hired = dataclasses.replace(ship, tce_usd_per_day=float(fixture))
            at_fixture = voyage_cost(
                hired, params, km, parcel_t=parcel, passages=crossed
            ).cost_per_t
        records.append(
            {
                "id": row["id"],
                "route": row["route"],
                "period": row["period"],
                "ship_class": ship.name,
                "parcel_t": v.parcel_t,
                "distance_nm": v.distance_nm,
                "passages": ";".join(crossed),
                "published_usd_per_t": mid,
                "model_usd_per_t": v.cost_per_t,
                "model_to_published": v.cost_per_t / mid,
                "implied_tce_usd_per_day": implied_tce(
                    ship, params, km, mid, parcel_t=parcel, passages=crossed
                ),
                "tce_usd_per_day": ship.tce_usd_per_day,
                "fixture_tce_usd_per_day": fixture,
                "model_at_fixture_tce_usd_per_t": at_fixture,
            }
        )
    return pd.DataFrame(records)
