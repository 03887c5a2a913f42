"""The state of a demo company being drawn: the random generator and the arrays later steps build on."""

from __future__ import annotations

from datetime import date

import numpy as np

from data.generate.catalogue import Profile
from data.generate.draws import day_number


class DemoCompany:
    """Draws the company one step at a time, keeping the arrays later steps build on.

    Arrays are indexed by position (employee i has id i + 1, and so on); ids are assigned
    parents first, so every manager, parent unit and parent goal has a lower id than its child.
    Each step (data/generate/__init__.py `STEPS`) sets the attributes the next ones read.
    """

    def __init__(self, profile: Profile, seed: int, today: date) -> None:
        self.profile = profile
        self.rng = np.random.Generator(np.random.PCG64(seed))
        self.today = today
        self.today_day = day_number(today)
        self.years = (today.year - 1, today.year)
