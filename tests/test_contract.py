"""The contract's groupings that pages share: how genders are split so boys' figures are not withheld needlessly."""
from __future__ import annotations

import pandas as pd
import pytest

from cseboard.contract import BOYS, OTHERS, gender_group


@pytest.mark.parametrize("gender, group", [("Male", BOYS), ("Female", OTHERS), ("Other", OTHERS),
                                           ("Not known", OTHERS)])
def test_gender_group(gender, group):
    assert gender_group(pd.Series([gender])).tolist() == [group]
