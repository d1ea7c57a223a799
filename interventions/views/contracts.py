"""Attendance contract pages: drafting, offering it to the parents, each parent's response, breach, end."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from cases.audit import audit
from cases.permissions import can_record_support
from interventions import forms, selectors, services
from interventions.views._common import (
    _case_context,
    _case_for_support,
    _case_url,
    _form_page,
    _posted,
    _refuse_unless,
    get_or_post,
)


def _contract_for_support(request: HttpRequest, case_pk: int, pk: int):
    contract = selectors.contract_for_user(user=request.user, case_pk=case_pk, pk=pk)
    _refuse_unless(can_record_support(request.user, contract.case.pupil), "record an attendance contract")
    return contract


def _contract_url(contract) -> str:
    return reverse("interventions:contract_detail", args=[contract.case.pk, contract.pk])


@login_required
@get_or_post
def contract_create(request: HttpRequest, case_pk: int) -> HttpResponse:
    case = _case_for_support(request, case_pk)
    form = forms.ContractForm(_posted(request), pupil=case.pupil)
    created = {}

    def save(c):
        created["contract"] = services.attendance_contract_create(case=case, by=request.user, **c)

    return _form_page(
        request, form=form, save=save, success="Attendance contract drafted: check it, then offer it to the parents",
        done_url=lambda: _contract_url(created["contract"]),
        context=_case_context(case, title="New attendance contract", submit="Save draft contract",
                              intro=["An attendance contract is a voluntary written agreement between the parents "
                                     "and the school. If the parents decline it or do not keep it, that is recorded "
                                     "as evidence of non-engagement."]),
    )


@login_required
@require_GET
def contract_detail(request: HttpRequest, case_pk: int, pk: int) -> HttpResponse:
    contract = selectors.contract_for_user(user=request.user, case_pk=case_pk, pk=pk)
    audit(request=request, action="contract.view", pupil=contract.case.pupil, detail=f"contract {contract.pk}")
    return render(request, "interventions/contract_detail.html", {
        "contract": contract, "case": contract.case, "pupil": contract.case.pupil,
        "can_edit": can_record_support(request.user, contract.case.pupil),
    })


@login_required
@get_or_post
def contract_offer(request: HttpRequest, case_pk: int, pk: int) -> HttpResponse:
    contract = _contract_for_support(request, case_pk, pk)
    parties = [party.parent for party in contract.parties.all()]
    return _form_page(
        request, form=forms.ContractOfferForm(_posted(request)),
        save=lambda c: services.attendance_contract_offer(contract=contract, by=request.user),
        success="Contract offered: a letter to sign has been made for each parent", done_url=_contract_url(contract),
        context=_case_context(
            contract.case, title="Offer the contract to the parents", submit="Offer contract and make the letters",
            intro=["A letter with the contract to sign will be made for each of: "
                   + ", ".join(str(p) for p in parties) + "."],
            back_url=_contract_url(contract),
        ),
    )


@login_required
@get_or_post
def contract_party_response(request: HttpRequest, case_pk: int, contract_pk: int, pk: int) -> HttpResponse:
    party = selectors.contract_party_for_user(user=request.user, case_pk=case_pk, contract_pk=contract_pk, pk=pk)
    contract = party.contract
    _refuse_unless(can_record_support(request.user, contract.case.pupil), "record an attendance contract")
    form = forms.PartyResponseForm(_posted(request), initial={"responded_on": timezone.localdate()})
    return _form_page(
        request, form=form, success=f"Response from {party.parent} recorded", done_url=_contract_url(contract),
        save=lambda c: services.attendance_contract_party_respond(party=party, by=request.user, **c),
        context=_case_context(contract.case, title=f"Record the response of {party.parent}", submit="Record response",
                              back_url=_contract_url(contract)),
    )


@login_required
@get_or_post
def contract_breach(request: HttpRequest, case_pk: int, pk: int) -> HttpResponse:
    contract = _contract_for_support(request, case_pk, pk)
    form = forms.ContractBreachForm(_posted(request), initial={"breached_on": timezone.localdate()})
    return _form_page(
        request, form=form, success="Recorded that the contract was not kept", done_url=_case_url(contract.case),
        save=lambda c: services.attendance_contract_breach(contract=contract, by=request.user, **c),
        context=_case_context(contract.case, title="Record that the parents did not keep the contract",
                              submit="Record contract not kept", back_url=_contract_url(contract),
                              intro=["This is recorded on the case as non-engagement with formal support."]),
    )


@login_required
@get_or_post
def contract_end(request: HttpRequest, case_pk: int, pk: int) -> HttpResponse:
    contract = _contract_for_support(request, case_pk, pk)
    form = forms.ContractEndForm(_posted(request), initial={"ended_on": timezone.localdate()})
    return _form_page(
        request, form=form, success="Attendance contract ended", done_url=_case_url(contract.case),
        save=lambda c: services.attendance_contract_end(contract=contract, by=request.user, **c),
        context=_case_context(contract.case, title="End the attendance contract", submit="End contract",
                              back_url=_contract_url(contract)),
    )
